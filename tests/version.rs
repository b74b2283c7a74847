//! `agentb diff` and `agentb version` (list, bump, check): the real binary on temporary
//! projects, against deployed versions, kept versions and git revisions.

use crate::support::{Run, Test};

const SKILL: &str = "---\n# The brief writer.\nid: alpha\ntype: skill\nversion: \"1.2.3\"   # bumped by agentb\nstatus: active\ncategory: briefs\ndescription: Does alpha.\ntriggers:\n  - event: manual_invoke\ninputs:\n  - name: request\n    type: string\n    required: true\noutputs:\n  - name: result\n    type: string\npermissions:\n  - client:read\n---\n# Alpha\n\n## Purpose\nDo alpha. version: 1.2.3 stays in the body.\n\n## Process\n1. Step one\n";

fn run(test: Test, args: &[&str]) -> Run {
    test.args(args.iter().copied()).run().no_panic()
}

fn git(test: &Test, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(test.path())
        .env("HOME", test.path())
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bump_rewrites_only_the_version_byte_for_byte() {
    for (name, source) in [
        ("plain", SKILL.to_owned()),
        ("crlf", SKILL.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{SKILL}")),
        ("unquoted", SKILL.replace("\"1.2.3\"", "1.2.3")),
    ] {
        let test = Test::new().skill("alpha.md", &source);
        let r = run(test, &["version", "bump", "alpha", "minor"]).code(0).stderr_contains("Bumped alpha 1.2.3 → 1.3.0");
        let expected = source.replacen("1.2.3", "1.3.0", 1);
        assert_eq!(r.test.read_bytes("skills/alpha.md"), expected.as_bytes(), "{name}");
        let r = run(r.test, &["version", "bump", "alpha", "major"]).code(0);
        let r = run(r.test, &["version", "bump", "alpha", "patch"]).code(0);
        assert_eq!(r.test.read_bytes("skills/alpha.md"), source.replacen("1.2.3", "2.0.1", 1).as_bytes(), "{name}");
    }
    let test = Test::new().skill("alpha.md", SKILL);
    let r = run(test, &["version", "bump", "alpha", "auto"]).code(2).stderr_contains("was never deployed");
    // A version that does not parse is named; the file is left alone.
    let broken = SKILL.replace("\"1.2.3\"", "\"banana\"");
    let r = run(r.test.skill("alpha.md", &broken), &["version", "bump", "alpha", "patch"])
        .code(2)
        .stderr_contains("`skills/alpha.md` has lint errors and no version agentb can bump")
        .stderr_lacks("changed while agentb read it");
    assert_eq!(r.test.read("skills/alpha.md"), broken);
    let missing = SKILL.replace("version: \"1.2.3\"   # bumped by agentb\n", "");
    run(r.test.skill("alpha.md", &missing), &["version", "bump", "alpha", "patch"])
        .code(2)
        .stderr_contains("hint: `agentb lint skills/alpha.md` shows them")
        .done();
}

#[test]
fn check_fails_on_an_insufficient_bump_and_says_why() {
    let test = Test::new().skill("alpha.md", SKILL);
    let r = run(test, &["deploy", "--yes"]).code(0);
    let r = run(r.test, &["version", "check"]).code(0).stdout_contains("alpha 1.2.3: unchanged");
    // A new required input needs a major bump; a minor one is not enough.
    let changed = SKILL
        .replace("outputs:", "  - name: budget\n    type: number\n    required: true\noutputs:")
        .replace("\"1.2.3\"", "\"1.3.0\"");
    let r = r.test.skill("alpha.md", &changed);
    let r = run(r, &["version", "check"])
        .code(1)
        .stdout_contains("alpha 1.2.3 (deployed to 4 orgs of `local`) → 1.3.0: insufficient: the changes require a major bump (to 2.0.0 or later), but 1.2.3 → 1.3.0 is a minor bump")
        .stdout_contains("major  input `budget` added as required")
        .stderr_contains("version bump SKILL auto");
    let json = run(r.test, &["version", "check", "--format", "json"]).code(1);
    let v = json.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["skills"][0]["required"], "major");
    let r = run(json.test, &["version", "bump", "alpha", "auto"]).code(0).stderr_contains("Bumped alpha 1.3.0 → 2.0.0");
    let r = run(r.test, &["version", "check"]).code(0).stdout_contains("alpha 1.2.3 → 2.0.0: ok");
    // Same version, changed prose: needs a patch.
    let r = r.test.skill("alpha.md", SKILL.replace("Do alpha.", "Do alpha carefully."));
    run(r, &["version", "check"]).code(1).stdout_contains("require a patch bump (to 1.2.4)").done();
}

#[test]
fn diff_against_deployed_a_kept_version_and_git() {
    let test = Test::new().skill("alpha.md", SKILL);
    git(&test, &["init", "-q"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "-qm", "one"]);
    let r =
        run(test, &["diff", "alpha"]).code(2).stderr_contains("was never deployed").stderr_contains("--against HEAD");
    let r = run(r.test, &["diff", "alpha", "--against", "HEAD", "--exit-code"]).code(0).stdout_contains("no changes");
    let r = run(r.test, &["deploy", "--yes"]).code(0);
    let changed =
        SKILL.replace("    required: true\noutputs:", "    required: false\noutputs:").replace("Do alpha.", "Do beta.");
    let r = r.test.skill("alpha.md", &changed);
    let r = run(r, &["diff", "alpha", "--exit-code"])
        .code(1)
        .stdout_contains("alpha 1.2.3 (deployed to 4 orgs of `local`) → 1.2.3 (working tree)")
        .stdout_contains("minor  input `request` made optional")
        .stdout_contains("version: the content changed but the version is still 1.2.3")
        .stdout_contains("--- alpha@1.2.3 system prompt")
        .stdout_contains("-Do alpha.")
        .stdout_contains("+Do beta.");
    let r = run(r.test, &["diff", "alpha", "--color", "always"])
        .code(0)
        .stdout_contains("\u{1b}[32m+Do beta.")
        .stdout_contains("\u{1b}[31m-Do alpha.");
    let r = run(r.test, &["diff", "alpha", "--against", "1.2.3"]).code(0).stdout_contains("(release store)");
    let r = run(r.test, &["diff", "alpha", "--against", "HEAD"])
        .code(0)
        .stdout_contains("(git HEAD)")
        .stdout_contains("+Do beta.");
    let r = run(r.test, &["diff", "alpha", "--org", "acme", "--format", "json"]).code(0);
    let v = r.json();
    assert_eq!(v["changes"][0]["class"], "minor");
    assert_eq!(v["required"], "minor");
    assert_eq!(v["differs"], true);
    let r = run(r.test, &["diff", "alpha", "--against", "no-such-rev"])
        .code(2)
        .stderr_contains("not `deployed`, a kept version, or a git revision");
    let r = run(r.test, &["diff", "alpha", "--against", "9.9.9"]).code(2).stderr_contains("kept versions: 1.2.3");
    // A "revision" that is a git option is refused before git sees it: it would write a file.
    std::fs::create_dir_all(r.test.path().join("x:./skills")).unwrap();
    let r = run(r.test, &["diff", "alpha", "--against=--output=x"])
        .code(2)
        .stderr_contains("`--output=x` is not `deployed`, a kept version, or a git revision");
    assert!(!r.test.path().join("x:./skills/alpha.md").exists(), "git wrote a file");
    std::fs::remove_file(r.test.path().join("skills/alpha.md")).unwrap();
    run(r.test, &["diff", "alpha"]).code(0).stdout_contains("major  skill `alpha` removed").done();
}

#[test]
fn version_lists_where_each_version_runs() {
    let test = Test::new().skill("alpha.md", SKILL);
    let r = run(test, &["version"]).code(0).stdout_contains("alpha  1.2.3      -");
    let r = run(r.test, &["deploy", "--org", "acme", "--org", "beta", "--yes"]).code(0);
    let r = run(r.test, &["version"]).code(0).stdout_contains("1.2.3 on acme, beta");
    let r = run(r.test, &["version", "--format", "json"]).code(0);
    assert_eq!(r.json()["skills"][0]["deployed"]["1.2.3"], serde_json::json!(["acme", "beta"]));
    assert_eq!(r.json()["skills"][0]["lint_errors"], false);
    // A version that does not parse is not shown as 0.0.0.
    let r = r.test.skill("alpha.md", SKILL.replace("\"1.2.3\"", "banana"));
    let r = run(r, &["version"]).code(0).stdout_contains("alpha  (errors)   1.2.3 on acme, beta").stdout_lacks("0.0.0");
    let r = run(r.test, &["version", "--format", "json"]).code(0);
    assert_eq!(r.json()["skills"][0]["version"], serde_json::Value::Null);
    assert_eq!(r.json()["skills"][0]["lint_errors"], true);
}

#[test]
fn check_against_a_git_revision_for_ci() {
    let test = Test::new().skill("alpha.md", SKILL);
    git(&test, &["init", "-q"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "-qm", "one"]);
    // A trigger removed (major) with a minor bump fails; a skill new since the revision is fine.
    let changed =
        SKILL.replace("\"1.2.3\"", "\"1.3.0\"").replace("  - event: manual_invoke\n", "  - schedule: \"0 9 * * 1\"\n");
    let test = test.skill("alpha.md", &changed).skill("beta.md", SKILL.replace("id: alpha", "id: beta"));
    let r = run(test, &["version", "check", "--against", "HEAD"])
        .code(1)
        .stdout_contains(
            "alpha 1.2.3 (git HEAD) → 1.3.0: insufficient: the changes require a major bump (to 2.0.0 or later)",
        )
        .stdout_contains("major  trigger event `manual_invoke` removed")
        .stdout_contains("minor  trigger schedule `0 9 * * 1` added")
        .stdout_contains("beta 1.2.3: new (nothing to compare with)");
    let r = run(r.test, &["version", "bump", "alpha", "auto", "--against", "HEAD"])
        .code(0)
        .stderr_contains("1.3.0 → 2.0.0");
    let r = run(r.test, &["version", "check", "--against", "HEAD"]).code(0).stdout_contains("alpha 1.2.3 → 2.0.0: ok");
    // A mistyped or unfetched revision is an error, not a pass with every skill "new".
    let r = run(r.test, &["version", "check", "--against", "origin/nope"])
        .code(2)
        .stderr_contains("`origin/nope` is not `deployed`, a kept version, or a git revision")
        .stderr_contains("hint: in CI, fetch the revision first")
        .stdout_lacks("new (nothing to compare with)");
    std::fs::remove_dir_all(r.test.path().join(".git")).unwrap();
    run(r.test, &["version", "check", "--against", "HEAD"]).code(2).stdout_lacks("alpha").done();
}
