//! `agentb lint`: the example project is clean; every bad input of issue 2 gets a precise
//! diagnostic, the other files are still checked, nothing panics; formats, levels, `--fix` and
//! path arguments.

use std::fmt::Write as _;

use serde_json::Value;

use crate::support::{Run, Test};

/// A valid skill whose only finding is a warning (AB030, a permission that grants no tool).
/// Added next to every bad input: its warning proves the other files were still checked, and
/// it never decides the exit code on its own (warnings exit 0).
const WITNESS: &str = "---
id: witness
type: skill
version: 1.0.0
status: active
category: checks
description: Present in every bad-input test.
triggers:
  - event: manual_invoke
permissions:
  - spaceship:read
---

# Witness

## Purpose
Prove that the other files are still checked.

## Process
1. Exist
";

/// Returns how many files lint checks in the example project, plus `extra`, as the summary
/// line words it ("10 files").
fn example_files(extra: usize) -> String {
    let count = ["skills", "personas"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(crate::support::repo().join(dir)).expect("example folder"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            std::path::Path::new(n).extension().is_some_and(|e| e == "md")
                || n.ends_with(".test.yaml")
                || n.ends_with(".test.yml")
        })
        .count();
    format!("{} files", count + extra)
}

/// Returns a lint-clean skill with `extra` appended to its frontmatter.
fn skill_src(id: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: checks\n\
         description: A skill written by a test.\ntriggers:\n  - event: manual_invoke\n{extra}---\n\n\
         # Test Skill\n\n## Purpose\nExercise one rule.\n\n## Process\n1. Read the inputs\n2. Answer\n"
    )
}

/// The example project, the witness, and one more file.
fn with_bad(name: &str, contents: impl AsRef<[u8]>) -> Test {
    Test::example().skill("witness.md", WITNESS).skill(name, contents)
}

/// Asserts the witness's warning is in the human report.
fn witnessed(run: Run) -> Run {
    run.stderr_contains("warning[AB030]: permission `spaceship:read` grants no known tool")
        .stderr_contains("skills/witness.md:11:5")
}

fn lint(test: Test) -> Run {
    test.args(["lint"]).run().no_panic()
}

// ---------------------------------------------------------------------------------------------
// The example project

#[test]
fn example_project_is_clean() {
    Test::example()
        .args(["lint"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains(&format!("Checked {}: no problems", example_files(0)))
        .stderr_lacks("warning")
        .stderr_lacks("error")
        .done();
}

#[test]
fn example_project_is_clean_even_denying_warnings() {
    Test::example().args(["lint", "--deny", "warnings"]).run().no_panic().code(0).done();
}

#[test]
fn the_witness_alone_is_a_warning_and_exits_0() {
    // The premise of every bad-input test below: the witness never fails the run by itself.
    let run = lint(Test::example().skill("witness.md", WITNESS)).code(0);
    witnessed(run).stderr_contains(&format!("warning: 1 warning in {}", example_files(1))).done();
    Test::example().skill("witness.md", WITNESS).args(["lint", "--deny", "warnings"]).run().no_panic().code(1).done();
}

// ---------------------------------------------------------------------------------------------
// Bad input, one test each

#[test]
fn empty_file() {
    let run = lint(with_bad("empty.md", "")).code(1).stderr_contains("error[AB001]: the file is empty");
    witnessed(run).stderr_contains("--> skills/empty.md").done();
    // White space only is empty too.
    lint(with_bad("blank.md", " \n\n\t\n")).code(1).stderr_contains("error[AB001]").done();
}

#[test]
fn no_frontmatter() {
    let run = lint(with_bad("plain.md", "# Just Markdown\n\nNo frontmatter here.\n"))
        .code(1)
        .stderr_contains("error[AB002]: the file does not start with `---` frontmatter")
        .stderr_contains("--> skills/plain.md:1:1")
        .stderr_contains("expected `---` on the first line");
    witnessed(run).done();
}

#[test]
fn unterminated_frontmatter() {
    let run = lint(with_bad("open.md", "---\nid: open\ntype: skill\n\n# Open\n"))
        .code(1)
        .stderr_contains("error[AB003]: the frontmatter is never closed")
        .stderr_contains("--> skills/open.md:1:1")
        .stderr_contains("opened here");
    witnessed(run).done();
}

#[test]
fn yaml_syntax_error_points_at_the_yaml_error() {
    let src = skill_src("yaml-bad", "").replace("status: active", "status: active: yes");
    let run = lint(with_bad("yaml-bad.md", src))
        .code(1)
        .stderr_contains("error[AB004]: invalid YAML: mapping values are not allowed in this context")
        .stderr_contains("--> skills/yaml-bad.md:5:15")
        .stderr_contains("5 | status: active: yes");
    witnessed(run).done();
}

#[test]
fn yaml_syntax_error_in_json_has_line_and_column() {
    let src = skill_src("yaml-bad", "").replace("category: checks", "category: [checks");
    let run = with_bad("yaml-bad.md", src).args(["lint", "--format", "json"]).run().no_panic().code(1);
    let doc = run.json();
    let d = diagnostics_of(&doc, "skills/yaml-bad.md");
    assert_eq!(d.len(), 1, "{doc:#}");
    assert_eq!(d[0]["code"], "AB004");
    assert!(d[0]["line"].as_u64().is_some_and(|l| l >= 6), "{doc:#}");
    assert!(d[0]["column"].as_u64().is_some(), "{doc:#}");
    assert!(!diagnostics_of(&doc, "skills/witness.md").is_empty(), "the witness was not checked\n{doc:#}");
}

#[test]
fn wrong_types_for_every_kind_of_field() {
    let src = "---
id: typed
type: skill
version: 1.0
status: [active]
category: 42
description: true
triggers: manual_invoke
inputs:
  - name: request
    type: string
    required: \"yes\"
  - just-a-string
outputs: {a: 1}
dependencies: resource-scanner
permissions: 7
limits:
  max_turns: many
  max_cost_usd: cheap
---

# Typed

## Purpose
Every value here has the wrong type.

## Process
1. Fail
";
    let run = lint(with_bad("typed.md", src)).code(1);
    let run = witnessed(run);
    let expected = [
        ("AB017", "`version: 1.0` is read as a number, not a semantic version", "4:10"),
        ("AB012", "`status` must be a string, found a list", "5:9"),
        ("AB012", "`category` must be a string, found an integer", "6:11"),
        ("AB012", "`description` must be a string, found a boolean", "7:14"),
        ("AB012", "`triggers` must be a list, found a string", "8:11"),
        ("AB012", "`required` must be true or false, found a string", "12:15"),
        ("AB012", "an input must be a mapping with `name` and `type`, found a string", "13:5"),
        ("AB012", "`outputs` must be a list, found a mapping", "14:10"),
        ("AB012", "`dependencies` must be a list, found a string", "15:15"),
        ("AB012", "`permissions` must be a list, found an integer", "16:14"),
        ("AB012", "`max_turns` must be a whole number, found a string", "18:14"),
        ("AB012", "`max_cost_usd` must be a non-negative number", "19:17"),
    ];
    for (code, message, at) in expected {
        assert!(
            run.stderr.contains(&format!("error[{code}]: {message}\n")),
            "missing {code} {message:?}\n{}",
            run.stderr
        );
        assert!(run.stderr.contains(&format!("--> skills/typed.md:{at}\n")), "missing location {at}\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains(&format!("error: {} errors, 1 warning in {}", expected.len(), example_files(2))),
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_types_in_a_persona() {
    let src =
        "---\nid: typed\ntype: persona\nname: [not, a, string]\nallowed_skills: brief-creator\n---\n\nYou help.\n";
    let run = Test::example()
        .skill("witness.md", WITNESS)
        .persona("typed.md", src)
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB012]: `name` must be a string, found a list")
        .stderr_contains("--> personas/typed.md:4:7")
        .stderr_contains("error[AB012]: `allowed_skills` must be a list, found a string")
        .stderr_contains("--> personas/typed.md:5:17");
    witnessed(run).done();
}

#[test]
fn unknown_keys_suggest_the_known_one() {
    let extra = "verison: 1.0.0\ninputs:\n  - name: request\n    typ: string\n";
    let run = lint(with_bad("typo.md", skill_src("typo", extra)))
        .code(1)
        .stderr_contains("error[AB010]: unknown key `verison` in the skill frontmatter")
        .stderr_contains("--> skills/typo.md:10:1")
        .stderr_contains("= help: did you mean `version`?")
        .stderr_contains("error[AB010]: unknown key `typ` in an input")
        .stderr_contains("--> skills/typo.md:13:5")
        .stderr_contains("= help: did you mean `type`?");
    witnessed(run).done();
}

#[test]
fn unknown_key_without_a_close_match_lists_the_keys() {
    let run = lint(with_bad("odd.md", skill_src("odd", "zzzzzz: 1\n")))
        .code(1)
        .stderr_contains("error[AB010]: unknown key `zzzzzz`")
        .stderr_contains("= help: expected one of: id, type, version");
    witnessed(run).done();
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let mut src = skill_src("latin", "").into_bytes();
    // `description: caf\xE9` on line 7: the bad byte is the 17th character of the line.
    let at = src.windows(12).position(|w| w == b"description:").expect("description line");
    let line_end = at + src[at..].iter().position(|b| *b == b'\n').expect("newline");
    src.splice(at..line_end, b"description: caf\xE9".iter().copied());
    let run = lint(with_bad("latin.md", src))
        .code(1)
        .stderr_contains("error[AB007]: the file is not valid UTF-8: the first invalid byte is at line 7, column 17")
        .stderr_contains("--> skills/latin.md:7:17")
        .stderr_contains("7 | description: caf\u{FFFD}")
        .stderr_contains("^ not UTF-8");
    witnessed(run).done();
}

#[test]
fn binary_file() {
    let bytes: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    let run = lint(with_bad("blob.md", bytes))
        .code(1)
        .stderr_contains("error[AB008]: the file contains NUL bytes: binary data, not text")
        .stderr_contains("--> skills/blob.md");
    witnessed(run).done();
    // Binary after valid frontmatter is still binary.
    let mut src = skill_src("blob", "").into_bytes();
    src.extend_from_slice(b"\0\x01\x02");
    lint(with_bad("blob.md", src)).code(1).stderr_contains("error[AB008]").done();
}

#[test]
fn bom_is_accepted() {
    let src = [b"\xEF\xBB\xBF".as_slice(), skill_src("bom", "").as_bytes()].concat();
    let run =
        lint(with_bad("bom.md", &src)).code(0).stderr_contains(&format!("warning: 1 warning in {}", example_files(2)));
    witnessed(run).stderr_lacks("error").done();
    // The witness's warning is the only finding: denying warnings fails on it alone.
    let run = with_bad("bom.md", &src).args(["lint", "--deny", "warnings"]).run().no_panic().code(1);
    run.stderr_contains(&format!("error: 1 error, 0 warnings in {}", example_files(2))).done();
}

#[test]
fn bom_file_with_an_error_reports_the_right_column() {
    // The BOM is not a character of line 1: columns count from the real first character.
    let src = [b"\xEF\xBB\xBF".as_slice(), skill_src("bom", "").replace("category: checks", "category: 42").as_bytes()]
        .concat();
    let run = lint(with_bad("bom.md", src)).code(1).stderr_contains("--> skills/bom.md:6:11");
    witnessed(run).done();
}

#[test]
fn crlf_is_accepted() {
    let src = skill_src("windows", "").replace('\n', "\r\n");
    let run = lint(with_bad("windows.md", &src))
        .code(0)
        .stderr_contains(&format!("warning: 1 warning in {}", example_files(2)));
    witnessed(run).stderr_lacks("error").done();
    // The witness's warning is the only finding: denying warnings fails on it alone.
    let run = with_bad("windows.md", &src).args(["lint", "--deny", "warnings"]).run().no_panic().code(1);
    run.stderr_contains(&format!("error: 1 error, 0 warnings in {}", example_files(2))).done();
}

#[test]
fn crlf_file_with_an_error_reports_the_right_column() {
    let src = skill_src("windows", "").replace("category: checks", "category: 42").replace('\n', "\r\n");
    let run = lint(with_bad("windows.md", src))
        .code(1)
        .stderr_contains("error[AB012]: `category` must be a string, found an integer")
        .stderr_contains("--> skills/windows.md:6:11")
        .stderr_contains("6 | category: 42\n");
    let run = witnessed(run);
    assert!(!run.stderr.contains('\r'), "a carriage return reached the terminal\n{:?}", run.stderr);

    let run = with_bad(
        "windows.md",
        skill_src("windows", "").replace("category: checks", "category: 42").replace('\n', "\r\n"),
    )
    .args(["lint", "--format", "json"])
    .run()
    .no_panic()
    .code(1);
    let doc = run.json();
    let d = &diagnostics_of(&doc, "skills/windows.md")[0];
    assert_eq!((d["line"].as_u64(), d["column"].as_u64(), d["end_column"].as_u64()), (Some(6), Some(11), Some(13)));
}

#[test]
fn a_100_mb_file_is_refused_without_reading_it() {
    // A sparse file: 100 MB long, only its first four bytes written.
    let run = with_bad("other-broken.md", "")
        .sparse_file("skills/huge.md", b"---\n", 100 * 1024 * 1024)
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB006]: the file is 104857600 bytes, over the limit of 1048576 bytes; it was not read")
        .stderr_contains("--> skills/huge.md")
        // The other files are still checked.
        .stderr_contains("error[AB001]: the file is empty")
        .stderr_contains("--> skills/other-broken.md");
    witnessed(run).done();
}

#[test]
fn a_file_just_over_the_limit_is_refused_and_one_at_the_limit_is_read() {
    let at_limit = format!("{}\n<!--{}-->\n", skill_src("at-limit", "").trim_end(), "x".repeat(1024 * 1024));
    let at_limit = at_limit[..1024 * 1024].to_owned();
    lint(with_bad("at-limit.md", at_limit)).code(0).stderr_lacks("AB006").stderr_lacks("AB001").done();
    lint(with_bad("over.md", "x".repeat(1024 * 1024 + 1))).code(1).stderr_contains("error[AB006]").done();
}

#[test]
fn ten_thousand_deep_flow_nesting() {
    let extra = format!("deep: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let run = lint(with_bad("deep.md", skill_src("deep", &extra)))
        .code(1)
        .stderr_contains("error[AB005]: frontmatter is nested deeper than 32 levels")
        .stderr_contains("--> skills/deep.md:");
    witnessed(run).done();
}

#[test]
fn ten_thousand_deep_flow_mappings() {
    let extra = format!("deep: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    let run = lint(with_bad("deep.md", skill_src("deep", &extra)))
        .code(1)
        .stderr_contains("error[AB005]: frontmatter is nested deeper than 32 levels");
    witnessed(run).done();
}

#[test]
fn ten_thousand_deep_block_sequences() {
    let extra = format!("deep:\n  {}x\n", "- ".repeat(10_000));
    let run = lint(with_bad("deep.md", skill_src("deep", &extra)))
        .code(1)
        .stderr_contains("error[AB005]: frontmatter is nested deeper than 32 levels");
    witnessed(run).done();
}

/// The classic "billion laughs": nine levels of nine aliases each.
fn alias_bomb(levels: usize) -> String {
    let mut yaml =
        String::from("lol0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for level in 1..levels {
        let refs = vec![format!("*l{}", level - 1); 9].join(", ");
        let _ = writeln!(yaml, "lol{level}: &l{level} [{refs}]");
    }
    yaml
}

#[test]
fn billion_laughs_alias_bomb() {
    let run = lint(with_bad("bomb.md", skill_src("bomb", &alias_bomb(9))))
        .code(1)
        .stderr_contains("error[AB005]: frontmatter uses more than 64 anchors or aliases")
        .stderr_contains("--> skills/bomb.md:");
    witnessed(run).done();
}

#[test]
fn alias_bomb_under_the_alias_count_is_still_a_limit() {
    // 7 × 9 = 63 aliases (under the alias limit) expand to 9^8 values: the node budget stops it.
    let run = lint(with_bad("bomb.md", skill_src("bomb", &alias_bomb(8)))).code(1).stderr_contains("error[AB005]");
    witnessed(run).stderr_lacks("AB004").done();
}

#[test]
fn duplicate_ids_across_files() {
    // The second file's id is also that of the example's brief-creator.
    let src = skill_src("brief-creator", "");
    let run = lint(with_bad("copy-of-brief.md", src))
        .code(1)
        .stderr_contains("error[AB015]: the skill id `brief-creator` is also defined in `skills/brief-creator.md`")
        .stderr_contains("--> skills/copy-of-brief.md:2:5")
        .stderr_contains("= note: first defined in `skills/brief-creator.md`")
        .stderr_contains("error[AB014]: the id `brief-creator` differs from the file name `copy-of-brief.md`");
    witnessed(run).done();
}

#[test]
fn duplicate_persona_ids() {
    let src = "---\nid: account-manager\ntype: persona\nname: Copy\nallowed_skills: []\n---\n\nYou copy.\n";
    let run = Test::example()
        .skill("witness.md", WITNESS)
        .persona("copy.md", src)
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains(
            "error[AB015]: the persona id `account-manager` is also defined in `personas/account-manager.md`",
        );
    witnessed(run).done();
}

#[test]
fn dependency_cycles() {
    let run = with_bad("cycle-a.md", skill_src("cycle-a", "dependencies:\n  - cycle-b\n"))
        .skill("cycle-b.md", skill_src("cycle-b", "dependencies:\n  - cycle-c@^1\n"))
        .skill("cycle-c.md", skill_src("cycle-c", "dependencies:\n  - cycle-a\n"))
        .skill("selfish.md", skill_src("selfish", "dependencies:\n  - selfish\n"))
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB028]: dependency cycle: cycle-a → cycle-b → cycle-c → cycle-a")
        .stderr_contains("--> skills/cycle-c.md:11:5")
        .stderr_contains("this dependency closes the cycle")
        .stderr_contains("error[AB028]: dependency cycle: selfish → selfish");
    // Each cycle is reported once.
    assert_eq!(run.stderr.matches("error[AB028]").count(), 2, "{}", run.stderr);
    witnessed(run).done();
}

#[test]
fn dependency_version_does_not_satisfy_the_requirement() {
    // The example's resource-scanner is 1.1.0.
    let src = skill_src("needs-new", "dependencies:\n  - resource-scanner@^2.0\n  - timeline-estimator@>=1.0, <2\n");
    let run = lint(with_bad("needs-new.md", src))
        .code(1)
        .stderr_contains("error[AB027]: `needs-new` requires `resource-scanner` ^2.0, but the project has 1.1.0")
        .stderr_contains("--> skills/needs-new.md:11:5")
        .stderr_contains("1.1.0 does not satisfy ^2.0")
        .stderr_contains("= help: require `resource-scanner@^1.1`");
    assert_eq!(run.stderr.matches("error[AB027]").count(), 1, "only one requirement fails\n{}", run.stderr);
    witnessed(run).done();
}

#[test]
fn dependency_on_an_unknown_skill() {
    let run = lint(with_bad("lonely.md", skill_src("lonely", "dependencies:\n  - resource-scaner\n")))
        .code(1)
        .stderr_contains("error[AB026]: dependency `resource-scaner` names no skill of the project")
        .stderr_contains("= help: did you mean `resource-scanner`?");
    witnessed(run).done();
}

#[test]
fn persona_allowing_an_unknown_skill() {
    let src = "---\nid: helper\ntype: persona\nname: Helper\nallowed_skills:\n  - brief-creator\n  - brief-creater\n---\n\nYou help.\n";
    let run = Test::example()
        .skill("witness.md", WITNESS)
        .persona("helper.md", src)
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB035]: persona `helper` allows the unknown skill `brief-creater`")
        .stderr_contains("--> personas/helper.md:7:5")
        .stderr_contains("= help: did you mean `brief-creator`?");
    assert_eq!(run.stderr.matches("error[AB035]").count(), 1, "{}", run.stderr);
    witnessed(run).done();
}

const KEY: &str = "sk-ant-api03-Zq8xLr2Vt9Wm4Kp7Hs1Dn6Fb3Gc5Jy0Ue8Ia2Ox4Pv7Rt1Sw9Qk3Ml6Nb0Xc5Zh-AbCdEf12";

/// A skill with the key pasted in several places, some of which a message would quote.
fn leaky_skill() -> String {
    let src = skill_src("leaky", &format!("inputs:\n  - name: token\n    type: {KEY}\n{KEY}: pasted as a key\n"))
        .replace("status: active", &format!("status: {KEY}"))
        .replace("description: A skill written by a test.", &format!("description: Calls the API with {KEY}"));
    format!("{src}\nAuthorization: Bearer {KEY}\n")
}

#[test]
fn pasted_anthropic_key_is_reported_but_never_echoed() {
    let persona = format!("---\nid: keeper\ntype: persona\nname: Keeper\nallowed_skills: []\n---\n\nUse {KEY}.\n");
    for format in ["human", "json", "sarif", "github"] {
        let run = with_bad("leaky.md", leaky_skill())
            .persona("keeper.md", &persona)
            .args(["lint", "--format", format])
            .run()
            .no_panic()
            .code(1)
            .output_lacks(KEY)
            // Not even the long middle of it.
            .output_lacks(&KEY[8..48]);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("AB033"), "--format {format}: no AB033\n{all}");
        assert!(all.contains("sk-ant-a"), "--format {format}: the prefix should be shown\n{all}");
        assert!(all.contains("witness"), "--format {format}: the witness was not checked\n{all}");
    }
}

#[test]
fn pasted_key_diagnostic_points_at_it() {
    let run = with_bad("leaky.md", leaky_skill()).args(["lint", "--format", "json"]).run().no_panic().code(1);
    let doc = run.json();
    let secrets: Vec<&Value> =
        diagnostics_of(&doc, "skills/leaky.md").into_iter().filter(|d| d["code"] == "AB033").collect();
    // In the description, the type, the key, the status and the body.
    assert_eq!(secrets.len(), 5, "{doc:#}");
    assert!(secrets.iter().all(|d| d["level"] == "error" && d["line"].is_u64()), "{doc:#}");
    assert!(
        secrets.iter().any(|d| d["message"].as_str().is_some_and(|m| m.contains("an Anthropic API key: sk-ant-a"))),
        "{doc:#}"
    );
}

#[test]
fn bad_test_files() {
    let run = with_bad("ghost.test.yaml", "cases:\n  - name: a\n    input: {}\n")
        .skill("brief-creator.test.yaml", "cases: 3\n")
        .skill("client-analyzer.test.yaml", b"cases:\n\0\x01")
        .skill("deadline-tracker.test.yaml", b"cases:\n  - name: caf\xE9\n")
        .sparse_file("skills/quality-checker.test.yaml", b"cases:\n", 5 * 1024 * 1024)
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB038]: test file for the unknown skill `ghost`")
        .stderr_contains("error[AB038]: invalid test file: ")
        .stderr_contains("--> skills/brief-creator.test.yaml")
        .stderr_contains("error[AB008]: the file contains NUL bytes")
        .stderr_contains("--> skills/client-analyzer.test.yaml")
        .stderr_contains("error[AB007]: the file is not valid UTF-8: the first invalid byte is at line 2, column 14")
        .stderr_contains("error[AB006]: the file is 5242880 bytes")
        .stderr_contains("--> skills/quality-checker.test.yaml")
        // No debug print of an internal value reaches the user.
        .stderr_lacks("Binary")
        .stderr_lacks("TooLarge")
        .stderr_lacks("{ line");
    witnessed(run).done();
}

// ---------------------------------------------------------------------------------------------
// Snapshots of the exact human output

fn human(test: Test) -> String {
    test.args(["lint"]).run().no_panic().code(1).stderr
}

#[test]
fn snapshot_unknown_key() {
    let out = human(Test::new().skill("brief.md", skill_src("brief", "verison: 1.0.0\n")));
    insta::assert_snapshot!(out);
}

#[test]
fn snapshot_yaml_syntax_error() {
    let src = skill_src("brief", "").replace("status: active", "status: active: yes");
    insta::assert_snapshot!(human(Test::new().skill("brief.md", src)));
}

#[test]
fn snapshot_cross_file_diagnostics() {
    let out = human(
        Test::new()
            .skill("a.md", skill_src("a", "dependencies:\n  - b@^2\n"))
            .skill("b.md", skill_src("b", ""))
            .persona("p.md", "---\nid: p\ntype: persona\nname: P\nallowed_skills:\n  - c\n---\n\nYou are P.\n"),
    );
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------------------------------------
// Exit codes and levels

#[test]
fn warnings_exit_0_and_1_when_denied() {
    let src =
        skill_src("warned", "inputs:\n  - name: request\n    type: string\n    required: true\n    default: hi\n");
    Test::new()
        .skill("warned.md", &src)
        .args(["lint"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("warning[AB025]: a required input has a default, which is never used")
        .stderr_contains("warning: 1 warning in 1 file")
        .done();
    Test::new()
        .skill("warned.md", &src)
        .args(["lint", "--deny", "warnings"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB025]")
        .stderr_contains("error: 1 error, 0 warnings in 1 file")
        .done();
}

#[test]
fn deny_and_allow_flags_by_code_and_name() {
    let test = || Test::new().skill("witness.md", WITNESS);
    test().args(["lint", "--deny", "AB030"]).run().no_panic().code(1).stderr_contains("error[AB030]").done();
    test()
        .args(["lint", "--deny", "unknown-permission"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB030]")
        .done();
    test()
        .args(["lint", "--allow", "AB030"])
        .run()
        .no_panic()
        .code(0)
        .stderr_lacks("AB030")
        .stderr_contains("Checked 1 file: no problems")
        .done();
    // Allow wins over deny warnings.
    test().args(["lint", "--allow", "unknown-permission", "--deny", "warnings"]).run().no_panic().code(0).done();
    // An error can be silenced too.
    Test::new().skill("empty.md", "").args(["lint", "--allow", "AB001"]).run().no_panic().code(0).done();
}

#[test]
fn unknown_rule_in_a_flag_is_a_usage_error() {
    Test::new()
        .skill("witness.md", WITNESS)
        .args(["lint", "--allow", "unknown-kee"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: unknown lint rule `unknown-kee`")
        .stderr_contains("hint: did you mean `unknown-key`?")
        .done();
}

#[test]
fn config_lint_deny_and_allow() {
    let with_config = |config: &str| Test::new().skill("witness.md", WITNESS).file(".agentbuilder.toml", config);
    with_config("[lint]\ndeny = [\"warnings\"]\n")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB030]")
        .done();
    with_config("[lint]\ndeny = [\"AB030\"]\n")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB030]")
        .done();
    with_config("[lint]\nallow = [\"unknown-permission\"]\n")
        .args(["lint"])
        .run()
        .no_panic()
        .code(0)
        .stderr_lacks("AB030")
        .done();
    // The command line adds to the config.
    with_config("[lint]\ndeny = [\"warnings\"]\n").args(["lint", "--allow", "AB030"]).run().no_panic().code(0).done();
    with_config("[lint]\nwarn = [\"AB001\"]\n")
        .skill("empty.md", "")
        .args(["lint"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("warning[AB001]")
        .done();
    with_config("[lint]\ndeny = [\"AB999\"]\n")
        .args(["lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("unknown lint rule `AB999`")
        .done();
}

// ---------------------------------------------------------------------------------------------
// --fix

const MISSPELLED_DEPENDENCY: &str = "  - resource_scanner@^1.0\n";

#[test]
fn fix_renames_a_misspelled_dependency_and_reports_it() {
    let src = skill_src("briefing", &format!("dependencies:\n{MISSPELLED_DEPENDENCY}"));
    let test = Test::example().skill("briefing.md", &src);
    // Without --fix: an error with the suggestion, and the file is untouched.
    let run = test
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB026]: dependency `resource_scanner` names no skill of the project")
        .stderr_contains("did you mean `resource-scanner`?");
    assert_eq!(run.test.read("skills/briefing.md"), src);

    let run = run
        .test
        .args(["lint", "--fix"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Fixed skills/briefing.md: replace dependency `resource_scanner` with `resource-scanner`")
        .stderr_lacks("AB026");
    assert_eq!(run.test.read("skills/briefing.md"), src.replace("resource_scanner", "resource-scanner"));
    // Nothing left to fix.
    run.test.args(["lint", "--fix"]).run().no_panic().code(0).stderr_lacks("Fixed").done();
}

#[test]
fn fix_keeps_crlf_and_bom() {
    let src = skill_src("briefing", &format!("dependencies:\n{MISSPELLED_DEPENDENCY}")).replace('\n', "\r\n");
    let bytes = [b"\xEF\xBB\xBF".as_slice(), src.as_bytes()].concat();
    let run = Test::example().skill("briefing.md", &bytes).args(["lint", "--fix"]).run().no_panic().code(0);
    let expected =
        [b"\xEF\xBB\xBF".as_slice(), src.replace("resource_scanner", "resource-scanner").as_bytes()].concat();
    assert_eq!(run.test.read_bytes("skills/briefing.md"), expected);
}

#[test]
fn fix_only_touches_the_files_named() {
    let src = skill_src("briefing", &format!("dependencies:\n{MISSPELLED_DEPENDENCY}"));
    let other = skill_src("other", &format!("dependencies:\n{MISSPELLED_DEPENDENCY}"))
        .replace("status: active", "status: Active");
    let run = Test::example()
        .skill("briefing.md", &src)
        .skill("other.md", &other)
        .args(["lint", "--fix", "skills/other.md"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Fixed skills/other.md: replace dependency `resource_scanner` with `resource-scanner`")
        .stderr_contains("Fixed skills/other.md: replace status `Active` with `active`")
        .stderr_lacks("briefing");
    assert_eq!(run.test.read("skills/briefing.md"), src);
    assert_eq!(
        run.test.read("skills/other.md"),
        other.replace("resource_scanner", "resource-scanner").replace("status: Active", "status: active")
    );
}

#[test]
fn fix_leaves_errors_it_cannot_fix() {
    let src = skill_src("briefing", &format!("dependencies:\n{MISSPELLED_DEPENDENCY}verison: 1\n"));
    let run = Test::example()
        .skill("briefing.md", &src)
        .args(["lint", "--fix"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("Fixed skills/briefing.md")
        .stderr_contains("error[AB010]: unknown key `verison`")
        .stderr_lacks("AB026");
    assert!(run.test.read("skills/briefing.md").contains("verison: 1"));
}

// ---------------------------------------------------------------------------------------------
// Formats

/// Returns the diagnostics of one file from a `--format json` document.
fn diagnostics_of<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["diagnostics"].as_array().expect("diagnostics array").iter().filter(|d| d["file"] == file).collect()
}

#[test]
fn json_format_shape() {
    let src = skill_src("typo", "verison: 1.0.0\n");
    let run = with_bad("typo.md", src).args(["lint", "--format", "json"]).run().no_panic().code(1);
    // Data on stdout only: no human diagnostics on stderr.
    assert!(!run.stderr.contains("AB010"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
    let all = doc["diagnostics"].as_array().unwrap();
    assert_eq!(all.len(), 2, "{doc:#}");
    let d = diagnostics_of(&doc, "skills/typo.md")[0];
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "code",
            "rule",
            "level",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "span",
            "label",
            "help",
            "notes",
            "fix"
        ]
    );
    assert_eq!(d["code"], "AB010");
    assert_eq!(d["rule"], "unknown-key");
    assert_eq!(d["level"], "error");
    assert_eq!(d["message"], "unknown key `verison` in the skill frontmatter");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(10), Some(1)));
    assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(10), Some(8)));
    let (start, end) = (d["span"]["start"].as_u64().unwrap(), d["span"]["end"].as_u64().unwrap());
    let text = run.test.read("skills/typo.md");
    assert_eq!(&text[usize::try_from(start).unwrap()..usize::try_from(end).unwrap()], "verison");
    assert_eq!(d["help"], "did you mean `version`?");
    assert_eq!(d["notes"], serde_json::json!([]));
    assert!(d["fix"].is_null());
    let w = diagnostics_of(&doc, "skills/witness.md")[0];
    assert_eq!((w["code"].as_str(), w["level"].as_str()), (Some("AB030"), Some("warning")));
}

#[test]
fn json_format_of_a_clean_project() {
    let run = Test::example().args(["lint", "--format", "json"]).run().no_panic().code(0);
    let doc = run.json();
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
    assert_eq!(doc["summary"], serde_json::json!({"errors": 0, "warnings": 0}));
}

#[test]
fn json_format_whole_file_problem_has_null_position() {
    let run = with_bad("empty.md", "").args(["lint", "--format", "json"]).run().no_panic().code(1);
    let doc = run.json();
    let d = diagnostics_of(&doc, "skills/empty.md")[0];
    assert_eq!(d["code"], "AB001");
    assert!(d["line"].is_null() && d["span"].is_null(), "{d:#}");
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema is JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}\n{doc:#}", errors.join("\n"));
}

#[test]
fn sarif_format_validates_against_the_schema() {
    let validator = sarif_validator();
    let run = with_bad("typo.md", skill_src("typo", "verison: 1.0.0\n"))
        .skill("empty.md", "")
        .skill("leaky.md", leaky_skill())
        .file("skills/my file #1.md", "no frontmatter")
        .args(["lint", "--format", "sarif"])
        .run()
        .no_panic()
        .code(1);
    let doc = run.json();
    assert_valid_sarif(&validator, &doc);
    assert_eq!(doc["version"], "2.1.0");
    let sarif_run = &doc["runs"][0];
    assert_eq!(sarif_run["tool"]["driver"]["name"], "agentb");
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "AB010" && r["name"] == "unknown-key"));
    let results = sarif_run["results"].as_array().unwrap();
    let typo = results
        .iter()
        .find(|r| {
            r["ruleId"] == "AB010"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "skills/typo.md"
        })
        .unwrap_or_else(|| panic!("no AB010 result\n{doc:#}"));
    assert_eq!(typo["level"], "error");
    let location = &typo["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "skills/typo.md");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 10);
    assert_eq!(location["region"]["startColumn"], 1);
    assert_eq!(location["region"]["endColumn"], 8);
    assert!(rules[typo["ruleIndex"].as_u64().unwrap() as usize]["id"] == "AB010");
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"skills/my%20file%20%231.md"), "{uris:?}");
    assert!(results.iter().any(|r| r["ruleId"] == "AB030" && r["level"] == "warning"), "the witness is missing");
}

#[test]
fn sarif_format_of_a_clean_project_validates() {
    let run = Test::example().args(["lint", "--format", "sarif"]).run().no_panic().code(0);
    let doc = run.json();
    assert_valid_sarif(&sarif_validator(), &doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_format_is_chosen_under_github_actions() {
    let src = skill_src("typo", "verison: 1.0.0\n");
    let run = with_bad("typo.md", &src)
        .env("GITHUB_ACTIONS", "true")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stdout_contains(
            "::error file=skills/typo.md,line=10,col=1,endLine=10,endColumn=8,title=AB010 unknown-key::unknown key `verison` in the skill frontmatter%0Ahelp: did you mean `version`?\n",
        )
        .stdout_contains("::warning file=skills/witness.md,line=11,col=5,")
        .stderr_lacks("error[AB010]");
    assert!(run.stdout.lines().all(|l| l.starts_with("::")), "{}", run.stdout);
    // An explicit --format wins.
    with_bad("typo.md", &src)
        .env("GITHUB_ACTIONS", "true")
        .args(["lint", "--format", "human"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB010]")
        .stdout_lacks("::error")
        .done();
    // Only `true` means GitHub Actions.
    with_bad("typo.md", &src)
        .env("GITHUB_ACTIONS", "false")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stdout_lacks("::error")
        .done();
}

#[test]
fn github_format_explicitly() {
    with_bad("empty.md", "")
        .args(["lint", "--format", "github"])
        .run()
        .no_panic()
        .code(1)
        .stdout_contains("::error file=skills/empty.md,title=AB001 empty-file::the file is empty\n")
        .done();
}

// ---------------------------------------------------------------------------------------------
// Paths

#[test]
fn a_path_argument_reports_only_that_file() {
    let src = skill_src("typo", "verison: 1.0.0\n");
    with_bad("typo.md", &src)
        .skill("empty.md", "")
        .args(["lint", "skills/typo.md"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB010]")
        .stderr_lacks("AB001")
        .stderr_lacks("witness")
        .done();
    // Only the clean witness: warnings only, exit 0, the broken files are not reported.
    with_bad("typo.md", &src)
        .skill("empty.md", "")
        .args(["lint", "skills/witness.md"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("warning[AB030]")
        .stderr_lacks("AB010")
        .stderr_lacks("AB001")
        .done();
}

#[test]
fn a_directory_argument_reports_only_its_files() {
    let persona = "---\nid: helper\ntype: persona\nname: Helper\nallowed_skills: [nope]\n---\n\nYou help.\n";
    with_bad("empty.md", "")
        .persona("helper.md", persona)
        .args(["lint", "personas"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB035]")
        .stderr_lacks("AB001")
        .stderr_lacks("AB030")
        .done();
}

#[test]
fn a_path_argument_from_a_subfolder() {
    // The config at the root is discovered from `skills/`; the path is relative to `skills/`.
    with_bad("empty.md", "")
        .file(".agentbuilder.toml", "")
        .cwd("skills")
        .args(["lint", "empty.md"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB001]")
        .stderr_lacks("AB030")
        .done();
}

#[test]
fn a_path_that_lint_does_not_check_is_a_usage_error() {
    // An empty `.md` outside the skills folder would otherwise pass with "no problems".
    Test::example()
        .file("drafts/idea.md", "")
        .args(["lint", "drafts/idea.md"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: `drafts/idea.md` is not a skill, persona or test file of this project")
        .stderr_contains("hint: lint checks `*.md` and `*.test.yaml` in `skills` and `*.md` in `personas`")
        .done();
    Test::example().file("drafts/idea.md", "").args(["lint", "drafts"]).run().no_panic().code(2).done();
    Test::example().skill("notes.txt", "").args(["lint", "skills/notes.txt"]).run().no_panic().code(2).done();
    // The project root, the folders and the config are fine.
    Test::example()
        .file(".agentbuilder.toml", "")
        .args(["lint", ".", "skills", "personas/account-manager.md", ".agentbuilder.toml"])
        .run()
        .no_panic()
        .code(0)
        .done();
}

#[test]
fn a_missing_path_is_a_usage_error() {
    Test::example()
        .args(["lint", "skills/nope.md"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: `skills/nope.md` does not exist")
        .done();
}

#[test]
fn an_empty_project_is_clean() {
    Test::new().args(["lint"]).run().no_panic().code(0).stderr_contains("Checked 0 files: no problems").done();
}

// ---------------------------------------------------------------------------------------------
// The ERP's own skill files: no `description`

/// The brief-creator example of SPEC §3 as the ERP's skill files are written: no `description`,
/// underscore dependency names, flow lists.
const ERP_BRIEF_CREATOR: &str = r#"---
id: brief-creator
type: skill
version: 1.0.0
status: active            # draft | active | deprecated | disabled
category: briefs
triggers:
  - event: client_request_received
  - event: manual_invoke
inputs:
  - name: client_context
    type: object
    required: true
  - name: request_details
    type: string
    required: true
outputs:
  - name: draft_brief
    type: Brief
  - name: quality_warnings
    type: string[]
dependencies: [timeline_estimator, resource_scanner]
permissions: [brief:create, client:read, user:read]
limits:                   # optional; may only tighten the project's limits
  max_turns: 8
---

# Brief Creator

## Purpose
...
## Founder Knowledge
> "A brief is complete when it has actionable deliverables, clear timeline, and comparable reference work."
## Process
1. Analyze the client request
2. ...
## Error Handling
| Error | Action |
|-------|--------|
| Missing client context | Request additional info |
"#;

#[test]
fn an_erp_skill_without_description_lints_with_no_error_after_fix() {
    let test = Test::example().skill("brief-creator.md", ERP_BRIEF_CREATOR);
    // Before --fix: the underscore names are the only errors; the description is a warning.
    let run = test
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB026]: dependency `timeline_estimator` names no skill of the project")
        .stderr_contains("error[AB026]: dependency `resource_scanner` names no skill of the project")
        .stderr_contains("warning[AB041]: the skill has no `description`")
        .stderr_lacks("AB011");
    let run = run
        .test
        .args(["lint", "--fix"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains(
            "Fixed skills/brief-creator.md: replace dependency `timeline_estimator` with `timeline-estimator`",
        )
        .stderr_contains("Fixed skills/brief-creator.md: replace dependency `resource_scanner` with `resource-scanner`")
        .stderr_contains("warning[AB041]")
        .stderr_lacks("error");
    assert_eq!(
        run.test.read("skills/brief-creator.md"),
        ERP_BRIEF_CREATOR.replace("[timeline_estimator, resource_scanner]", "[timeline-estimator, resource-scanner]")
    );
    // Clean now but for the warning; it compiles, with an empty description (agentb never
    // invents one) and the Purpose in the prompt.
    let run = run.test.args(["lint"]).run().no_panic().code(0).stderr_contains("warning[AB041]").stderr_lacks("error");
    let run = run.test.args(["compile", "brief-creator"]).run().no_panic().code(0);
    let artifact: Value =
        serde_json::from_str(&run.test.read(".agentbuilder/cache/compiled/brief-creator@1.0.0.json")).unwrap();
    assert_eq!(artifact["description"], "");
    assert!(artifact["system_prompt"].as_str().unwrap().contains("## Purpose\n..."));
    // And it deploys.
    let run = run.test.args(["deploy", "--yes"]).run().no_panic().code(0).stderr_contains("Deployed");
    // `--deny warnings` still makes it fail, naming the rule.
    run.test
        .args(["lint", "--deny", "missing-description"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB041]")
        .done();
}

#[test]
fn a_missing_description_suggests_the_first_sentence_of_purpose() {
    let src = ERP_BRIEF_CREATOR.replace(
        "## Purpose\n...",
        "## Purpose\nDrafts a project brief from a client\nrequest. It reads the client first.",
    );
    lint(Test::example().skill("brief-creator.md", src))
        .code(1)
        .stderr_contains("warning[AB041]: the skill has no `description`")
        .stderr_contains("help: add `description: Drafts a project brief from a client request.`")
        .done();
}

#[test]
fn explain_missing_description() {
    Test::new()
        .args(["explain", "AB041"])
        .run()
        .no_panic()
        .code(0)
        .stdout_contains("missing-description")
        .stdout_contains("suggests the first sentence of `## Purpose`")
        .done();
    // AB011 no longer claims `description` is required.
    Test::new().args(["explain", "AB011"]).run().no_panic().code(0).stdout_lacks("`description`").done();
}

// ---------------------------------------------------------------------------------------------
// Secret detection does not cry wolf

/// Returns every `SKILL.md` under `dir`, sorted.
fn skill_mds(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("corpus folder").filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            skill_mds(&path, out);
        } else if path.file_name().is_some_and(|n| n == "SKILL.md") {
            out.push(path);
        }
    }
}

#[test]
fn the_public_agent_skills_corpus_has_no_secret() {
    let corpus = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/agent-skills/corpus"));
    if !corpus.is_dir() {
        eprintln!("skipped: the Agent Skills corpus is not at {}", corpus.display());
        return;
    }
    let mut files = Vec::new();
    skill_mds(corpus, &mut files);
    assert!(files.len() >= 38, "only {} SKILL.md files under {}", files.len(), corpus.display());
    let ctx = agentb::skill::parse::ParseContext::new(&agentb::config::Config::default());
    let mut findings = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("corpus file is UTF-8");
        // The Markdown after the frontmatter.
        let body = text.strip_prefix("---").and_then(|rest| rest.split_once("\n---").map(|(_, b)| b)).unwrap_or(&text);
        let wrapped = format!(
            "---\nid: corpus\ntype: skill\nversion: 1.0.0\nstatus: draft\ncategory: imported\ndescription: A corpus skill.\n\
             triggers:\n  - event: manual_invoke\n---\n\n# Corpus\n\n## Purpose\nA corpus skill.\n\n## Process\n\
             1. Follow the instructions below.\n\n## Instructions\n{body}\n"
        );
        let src = agentb::skill::source::SourceFile {
            path: "skills/corpus.md".into(),
            text: wrapped.clone(),
            had_bom: false,
        };
        let parsed = agentb::skill::parse::skill_source(&src, std::path::Path::new("skills/corpus.md"), &ctx);
        assert!(parsed.item.is_some(), "{} did not wrap into a skill: {:?}", file.display(), parsed.diagnostics);
        for d in parsed.diagnostics.iter().filter(|d| d.rule.code == "AB033") {
            let span = d.span.clone().unwrap_or(0..0);
            let line_start = wrapped[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = wrapped[span.end..].find('\n').map_or(wrapped.len(), |i| span.end + i);
            findings.push(format!("{}: {}\n    {}", file.display(), d.message, &wrapped[line_start..line_end]));
        }
    }
    assert!(findings.is_empty(), "{} secret findings in the corpus:\n{}", findings.len(), findings.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Limits stated before a deploy finds them

#[test]
fn an_artifact_over_the_record_limit_is_a_lint_error_before_any_deploy() {
    // 400 KB of field description: under the 1 MiB file limit, but it is in the prompt, the
    // input schema and the record's inputs, so the deployed record is over 1 MiB.
    let long = "x".repeat(400 * 1024);
    let src = skill_src("bulky", &format!("inputs:\n  - name: request\n    type: string\n    description: {long}\n"));
    let run = lint(Test::example().skill("bulky.md", &src))
        .code(1)
        .stderr_contains("error[AB042]: the compiled artifact of `bulky` is about ")
        .stderr_contains("over the ERP's limit of 1048576 bytes per record");
    let run = run.test.args(["compile", "bulky"]).run().no_panic().code(1).stderr_contains("AB042");
    run.test.args(["explain", "artifact-too-large"]).run().no_panic().code(0).stdout_contains("413").done();
    // A skill of 300 KB of description in one place only is fine.
    let fine = skill_src("roomy", "").replace("Exercise one rule.", &"y".repeat(300 * 1024));
    lint(Test::example().skill("roomy.md", &fine)).stderr_lacks("AB042").done();
}

#[cfg(unix)]
#[test]
fn special_files_named_like_skills_are_reported_and_never_opened() {
    let test = Test::example().skill("witness.md", WITNESS);
    let skills = test.path().join("skills");
    let status = std::process::Command::new("mkfifo").arg(skills.join("pipe.md")).status().expect("mkfifo runs");
    assert!(status.success());
    std::fs::create_dir(skills.join("folder.md")).unwrap();
    std::os::unix::fs::symlink(skills.join("gone.md"), skills.join("dangling.md")).unwrap();
    std::os::unix::fs::symlink(skills.join("witness.md"), test.path().join("personas/linked.md")).unwrap();
    // Opening the FIFO for reading would block forever: lint must finish.
    let run = witnessed(lint(test).code(1))
        .stderr_contains("error[AB043]: `skills/pipe.md` is a FIFO, not a regular file")
        .stderr_contains("error[AB043]: `skills/folder.md` is a directory, not a regular file")
        .stderr_contains("error[AB043]: `skills/dangling.md` is a dangling symbolic link")
        // A link to a regular file is read like the file.
        .stderr_contains("--> personas/linked.md");
    run.test.args(["explain", "AB043"]).run().no_panic().code(0).stdout_contains("not-a-file").done();
}

#[test]
fn lint_checks_test_files_as_agentb_test_does() {
    Test::example()
        .skill(
            "quality-checker.test.yaml",
            "cases:\n  - name: a\n    org: acme\n    input: { target_type: brief, target_id: b1 }\n    fixtures:\n      invoices: [ { id: i1 } ]\n    expect:\n      tools_called: [erp_get_breif]\n",
        )
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB038]: fixtures for `invoices`, which no tool of skill `quality-checker` can reach")
        .stderr_contains("--> skills/quality-checker.test.yaml:6:7")
        .stderr_contains("error[AB038]: unknown tool `erp_get_breif`")
        .stderr_contains("--> skills/quality-checker.test.yaml:8:22")
        .stderr_contains("help: did you mean `erp_get_brief`?")
        .done();
}
