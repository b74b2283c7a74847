//! `agentb import` and `agentb export` (SPEC §11): the 38 real public skills and the 3 broken
//! ones of `../shared/agent-skills/` (read in place, never copied into this repository; the
//! tests that need them are skipped with a message when the folder is absent), the example
//! skills exported into folders the official validator (`skills-ref`) accepts, and round trips
//! both ways that keep everything the formats hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Test, repo};

/// The shared Agent Skills folder: `<parent>/shared/agent-skills` next to the repository.
fn shared(sub: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/agent-skills").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: the Agent Skills corpus is not at {}", dir.display());
        None
    }
}

/// Every skill folder under `dir` (the folders that hold a `SKILL.md`), sorted.
fn skill_folders(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read dir").filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.join("SKILL.md").is_file() {
            out.push(path);
        } else if path.is_dir() {
            out.extend(skill_folders(&path));
        }
    }
    out
}

/// Every file under `dir` with its bytes, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("below").to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// The frontmatter of a file as JSON, read with agentb's own YAML loader.
fn frontmatter(text: &str) -> Value {
    let src = agentb::skill::source::SourceFile { path: "x.md".into(), text: text.to_owned(), had_bom: false };
    let (root, _, _) = agentb::skill::parse::frontmatter(&src, Path::new("x.md")).expect("frontmatter");
    root.to_json()
}

/// The body of a file (after the frontmatter), trimmed.
fn body(text: &str) -> String {
    let parts = agentb::skill::source::split(text).expect("frontmatter");
    text[parts.body].trim().to_owned()
}

/// The official validator's command, when it is installed: `$SKILLS_REF`, the venv `.ci/run`
/// makes (`target/skills-ref-venv`), or `agentskills` on `PATH`.
fn skills_ref() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SKILLS_REF").map(PathBuf::from),
        Some(repo().join("target/skills-ref-venv/bin/agentskills")),
        Some(PathBuf::from("agentskills")),
    ];
    for candidate in candidates.into_iter().flatten() {
        if std::process::Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Some(candidate);
        }
    }
    eprintln!(
        "skipped: the Agent Skills validator is not installed; `python3 -m venv target/skills-ref-venv && \
         target/skills-ref-venv/bin/pip install skills-ref` (as `.ci/run` does) runs this check"
    );
    None
}

/// Asserts the validator accepts a skill folder.
fn assert_valid(validator: &Path, dir: &Path) {
    let out = std::process::Command::new(validator).arg("validate").arg(dir).output().expect("run skills-ref");
    assert!(
        out.status.success(),
        "skills-ref rejects {}:\n{}{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.join("SKILL.md")).unwrap_or_default()
    );
}

fn ids(report: &Value, key: &str) -> Vec<String> {
    report[key].as_array().expect("list").iter().map(|s| s["id"].as_str().expect("id").to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// The real corpus

#[test]
fn every_public_skill_imports_lint_clean_with_its_files_and_description_byte_for_byte() {
    let Some(corpus) = shared("corpus") else { return };
    let folders = skill_folders(&corpus);
    assert_eq!(folders.len(), 38, "{folders:?}");
    let run = Test::new().args(["import", corpus.to_str().unwrap(), "--format", "json"]).run().no_panic().code(0);
    let report = run.json();
    assert_eq!(report["imported"].as_array().unwrap().len(), 38, "{report:#}");
    assert_eq!(report["refused"], serde_json::json!([]));
    let test = run.test;
    for folder in &folders {
        let source = std::fs::read_to_string(folder.join("SKILL.md")).unwrap();
        let source_fm = frontmatter(&source);
        let id = source_fm["name"].as_str().unwrap();
        let imported = test.read(&format!("skills/{id}.md"));
        let fm = frontmatter(&imported);
        assert_eq!(fm["description"], source_fm["description"], "{id}: the description changed");
        assert_eq!(fm["status"], "draft", "{id}");
        assert_eq!(fm["triggers"], serde_json::json!([{"event": "manual_invoke"}]), "{id}");
        for key in ["license", "compatibility"] {
            assert_eq!(fm[key], source_fm[key], "{id}: {key}");
        }
        // Every bundled file, byte for byte.
        let mut source_files = files(folder);
        source_files.remove("SKILL.md");
        assert_eq!(files(&test.path().join("skills").join(id)), source_files, "{id}: the bundled files differ");
    }
    // The skill with `metadata.version` takes it; the others are 1.0.0.
    assert_eq!(frontmatter(&test.read("skills/deploy-to-vercel.md"))["version"], "3.0.0");
    let lint = test.args(["lint"]).run().no_panic();
    assert_eq!(lint.code, Some(0), "imported skills do not lint clean:\n{}", lint.stderr);
}

#[test]
fn imported_bodies_sit_under_instructions_with_links_into_the_bundle() {
    let Some(corpus) = shared("corpus/anthropics-skills/mcp-builder") else { return };
    let run = Test::new().args(["import", corpus.to_str().unwrap()]).run().code(0);
    run.test.read("skills/mcp-builder/reference/mcp_best_practices.md");
    let text = run.test.read("skills/mcp-builder.md");
    let body = body(&text);
    assert!(
        body.starts_with("# MCP Server Development Guide\n\n## Purpose\n\nGuide for creating high-quality MCP"),
        "{body}"
    );
    assert!(body.contains("\n## Process\n\n1. Follow the instructions below.\n\n## Instructions\n\n## MCP Server Development Guide\n\n### Overview\n"), "{body}");
    // The source's own `# Process` is shifted down and does not replace the generated one.
    assert!(body.contains("\n## Process\n\n### 🚀 High-Level Workflow"), "{body}");
    assert!(body.contains("](./mcp-builder/reference/mcp_best_practices.md)"), "{body}");
    assert!(!body.contains("](./reference/"), "{body}");
    let compiled = run.test.args(["compile", "--format", "json"]).run().code(0);
    let artifact: Value =
        serde_json::from_str(&compiled.test.read(".agentbuilder/cache/compiled/mcp-builder@1.0.0.json")).unwrap();
    let prompt = artifact["system_prompt"].as_str().unwrap();
    assert!(
        prompt.contains("## Process\nFollow these steps in order:\n1. Follow the instructions below.\n"),
        "{prompt}"
    );
}

#[test]
fn real_skills_with_extra_keys_and_odd_values_are_kept_and_reported() {
    let Some(corpus) = shared("corpus") else { return };
    let test = Test::new();
    let path = corpus.to_str().unwrap().to_owned();
    let run = test
        .args(["import", path.as_str()])
        .run()
        .code(0)
        .stderr_contains("unknown key `effort` in the Agent Skills frontmatter; it is kept under `metadata`")
        .stderr_contains("constant-time-analysis/SKILL.md:5:1")
        .stderr_contains("the name `vercel-composition-patterns` differs from its folder `composition-patterns`")
        .stderr_contains("`argument-hint` is a list, not a string; it is kept as the text `[apk-file-or-directory]`")
        .stderr_contains("kept but not granted");
    let fm = frontmatter(&run.test.read("skills/firebase-apk-scanner.md"));
    assert_eq!(fm["metadata"]["argument-hint"], "[apk-file-or-directory]");
    assert_eq!(fm["metadata"]["disable-model-invocation"], "true");
    assert_eq!(fm["allowed_tools"][0], "Bash({baseDir}/scanner.sh:*)");
    let fm = frontmatter(&run.test.read("skills/trailmark-finding-triage.md"));
    assert_eq!(fm["allowed_tools"], serde_json::json!(["Bash", "Read", "Grep", "Glob", "Write"]));
    let fm = frontmatter(&run.test.read("skills/markdown-mermaid-writing.md"));
    let contributors: Value = serde_json::from_str(fm["metadata"]["skill-contributors"].as_str().unwrap()).unwrap();
    assert_eq!(contributors[0]["name"], "Clayton Young");
}

#[test]
fn each_broken_skill_is_refused_naming_its_file_line_and_problem() {
    let Some(bad) = shared("bad") else { return };
    let run = Test::new().args(["import", bad.to_str().unwrap()]).run().no_panic().code(1);
    let run = run
        .stderr_contains("error[AB013]: invalid name `Invalid_Name`")
        .stderr_contains("bad/Invalid_Name/SKILL.md:2:7")
        .stderr_contains("help: rename the skill to `invalid-name`")
        .stderr_contains("error[AB044]: the description has 1068 characters, over the Agent Skills limit of 1024")
        .stderr_contains("bad/claude-api/SKILL.md:4:3")
        .stderr_contains("error[AB002]: the file does not start with `---` frontmatter")
        .stderr_contains("bad/no-frontmatter/SKILL.md:1:1")
        .stderr_contains("0 skills imported, 3 refused");
    assert!(!run.test.path().join("skills").exists(), "something was written for a refused skill");
    let json = Test::new().args(["import", bad.to_str().unwrap(), "--format", "json"]).run().code(1).json();
    let codes: Vec<&str> =
        json["refused"].as_array().unwrap().iter().map(|r| r["errors"][0]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["AB013", "AB044", "AB002"]);
    assert_eq!(json["refused"][1]["errors"][0]["line"], 4);
}

#[test]
fn a_refused_skill_does_not_stop_the_others() {
    let Some(bad) = shared("bad/no-frontmatter") else { return };
    let test = Test::new()
        .file(
            "in/good/SKILL.md",
            "---\nname: good\ndescription: Does good things. Use when good.\n---\n\n# Good\n\nBe good.\n",
        )
        .file("in/worse/SKILL.md", std::fs::read(bad.join("SKILL.md")).unwrap());
    let run = test.args(["import", "in"]).run().code(1).stderr_contains("1 skill imported, 1 refused");
    assert!(run.test.path().join("skills/good.md").is_file());
    run.test.args(["lint"]).run().code(0).done();
}

// ---------------------------------------------------------------------------------------------
// Import rules, on small hand-written skills

const TOOLS: &str = "---\nname: brief-helper\ndescription: Helps with briefs.\nallowed-tools: erp_get_brief erp_create_brief Read erp_fly_spaceship\n---\n\n# Brief helper\n\nSee [the guide](references/guide.md) and [missing](assets/none.png) and [up](../x.md).\n";

#[test]
fn agentb_tools_in_allowed_tools_become_permissions_and_the_others_are_not_granted() {
    let test =
        Test::new().file("in/brief-helper/SKILL.md", TOOLS).file("in/brief-helper/references/guide.md", "# Guide\n");
    let run = test.args(["import", "in/brief-helper", "--format", "json"]).run().code(0);
    let report = run.json();
    let skill = &report["imported"][0];
    assert_eq!(
        skill["permissions_from_tools"],
        serde_json::json!([{"tool": "erp_get_brief", "permission": "brief:read"}, {"tool": "erp_create_brief", "permission": "brief:create"}])
    );
    assert_eq!(skill["not_granted"], serde_json::json!(["Read", "erp_fly_spaceship"]));
    assert_eq!(skill["links_rewritten"], 2);
    let notes = skill["notes"].to_string();
    assert!(notes.contains("`erp_fly_spaceship` is not an agentb tool"), "{notes}");
    assert!(notes.contains("which the folder does not have"), "{notes}");
    assert!(notes.contains("points outside the skill folder"), "{notes}");
    let text = run.test.read("skills/brief-helper.md");
    let fm = frontmatter(&text);
    assert_eq!(fm["permissions"], serde_json::json!(["brief:read", "brief:create"]));
    assert_eq!(fm["allowed_tools"], serde_json::json!(["Read", "erp_fly_spaceship"]));
    assert!(text.contains("[the guide](brief-helper/references/guide.md)"), "{text}");
    assert!(text.contains("[up](../x.md)"), "{text}");
}

#[test]
fn an_existing_skill_is_never_overwritten_without_force() {
    let test = Test::new().file("in/brief-helper/SKILL.md", TOOLS);
    let run = test.args(["import", "in/brief-helper/SKILL.md"]).run().code(0);
    let first = run.test.read("skills/brief-helper.md");
    let test = run.test.file("skills/brief-helper.md", "hand edited\n");
    let run = test
        .args(["import", "in"])
        .run()
        .code(1)
        .stderr_contains("`skills/brief-helper.md` already exists")
        .stderr_contains("hint: pass `--force` to overwrite it");
    assert_eq!(run.test.read("skills/brief-helper.md"), "hand edited\n");
    let run = run.test.args(["import", "in", "--force"]).run().code(0).stderr_contains("Replaced");
    assert_eq!(run.test.read("skills/brief-helper.md"), first);
}

#[test]
fn bad_import_paths_are_usage_errors() {
    Test::new().args(["import", "nowhere"]).run().code(2).stderr_contains("`nowhere` does not exist").done();
    Test::new()
        .file("empty/readme.md", "# x\n")
        .args(["import", "empty"])
        .run()
        .code(2)
        .stderr_contains("no `SKILL.md` under `empty`")
        .stderr_contains("hint:")
        .done();
    Test::new()
        .file("notes.md", "x")
        .args(["import", "notes.md"])
        .run()
        .code(2)
        .stderr_contains("is not a `SKILL.md` file")
        .done();
}

#[test]
fn unusable_frontmatter_values_are_refused_with_their_span() {
    let test = Test::new()
        .file("in/a/SKILL.md", "---\nname: a\n---\nbody\n")
        .file("in/b/SKILL.md", "---\nname: b\ndescription: [not, text]\n---\nbody\n")
        .file("in/c/SKILL.md", "---\nname: c\ndescription: ok\nmetadata:\n  agentb-interface: \"{not json\"\n---\nbody\n")
        .file("in/d/SKILL.md", "---\nname: d\ndescription: \"has a key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\"\n---\n");
    let run = test.args(["import", "in"]).run().no_panic().code(1);
    run.stderr_contains("missing required key `description`")
        .stderr_contains("`description` must be a string, found a list")
        .stderr_contains("`metadata.agentb-interface` is not valid JSON")
        .stderr_contains("AB033")
        .stderr_contains("0 skills imported, 4 refused")
        .output_lacks("abcdefghijklmnopqrstuvwxyz0123456789")
        .done();
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn the_example_skills_export_into_folders_the_official_validator_accepts() {
    let ids = [
        "brief-creator",
        "client-analyzer",
        "deadline-tracker",
        "quality-checker",
        "resource-scanner",
        "timeline-estimator",
    ];
    let mut args = vec!["export"];
    args.extend(ids);
    args.extend(["--format", "agent-skills", "--out", "dist"]);
    let run = Test::example()
        .args(args)
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Exported brief-creator → dist/brief-creator/SKILL.md");
    for id in ids {
        let text = run.test.read(&format!("dist/{id}/SKILL.md"));
        let fm = frontmatter(&text);
        let keys: Vec<&String> = fm.as_object().unwrap().keys().collect();
        assert!(
            keys.iter().all(|k| ["name", "description", "license", "compatibility", "allowed-tools", "metadata"]
                .contains(&k.as_str())),
            "{id}: {keys:?}"
        );
        assert_eq!(fm["name"], id);
        let front = &text[..text[3..].find("\n---").unwrap() + 3];
        assert!(!front[3..].contains("---"), "{id}: a value contains `---`:\n{front}");
        assert!(!front.contains(": [") && !front.contains(": {"), "{id}: flow style:\n{front}");
        for key in ["agentb-version", "agentb-status", "agentb-category", "agentb-interface"] {
            assert!(fm["metadata"][key].is_string(), "{id}: {key}");
        }
    }
    let interface: Value = serde_json::from_str(
        frontmatter(&run.test.read("dist/brief-creator/SKILL.md"))["metadata"]["agentb-interface"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(interface["dependencies"], serde_json::json!(["resource-scanner@^1.0", "timeline-estimator@^1.0"]));
    let Some(validator) = skills_ref() else { return };
    for id in ids {
        assert_valid(&validator, &run.test.path().join("dist").join(id));
    }
}

#[test]
fn every_public_skill_exports_valid_after_import() {
    let Some(corpus) = shared("corpus") else { return };
    let run = Test::new().args(["import", corpus.to_str().unwrap(), "--format", "json"]).run().code(0);
    let ids = ids(&run.json(), "imported");
    let mut args = vec!["export".to_owned()];
    args.extend(ids.iter().cloned());
    args.extend(["--out".to_owned(), "dist".to_owned()]);
    let run = run.test.args(args).run().no_panic().code(0);
    let Some(validator) = skills_ref() else { return };
    for id in &ids {
        assert_valid(&validator, &run.test.path().join("dist").join(id));
    }
}

#[test]
fn export_refuses_a_description_over_1024_characters_naming_the_skill() {
    let long = "x".repeat(1100);
    let skill = format!(
        "---\nid: wordy\ntype: skill\nversion: 1.0.0\nstatus: draft\ncategory: c\ndescription: {long}\ntriggers:\n  - event: manual_invoke\n---\n# Wordy\n\n## Purpose\nP.\n\n## Process\n1. Step\n"
    );
    let run = Test::new()
        .skill("wordy.md", skill)
        .args(["export", "wordy", "--out", "dist"])
        .run()
        .code(1)
        .stderr_contains(
            "error[AB044]: the description of `wordy` has 1100 characters, over the Agent Skills limit of 1024",
        )
        .stderr_contains("skills/wordy.md:7:14")
        .stderr_contains("`wordy` was not exported");
    assert!(!run.test.path().join("dist/wordy").exists());
}

#[test]
fn export_never_replaces_a_folder_without_force_and_names_unknown_skills() {
    let run = Test::example().args(["export", "brief-creator", "--out", "dist"]).run().code(0);
    let run = run
        .test
        .args(["export", "brief-creator", "--out", "dist"])
        .run()
        .code(2)
        .stderr_contains("`")
        .stderr_contains("dist/brief-creator` already exists")
        .stderr_contains("hint: pass `--force` to replace it");
    let run = run.test.args(["export", "brief-creator", "--out", "dist", "--force", "--format", "json"]).run().code(0);
    assert_eq!(run.json()["exported"][0]["replaced"], true);
    let run = run.test.file("dist/other/notes.txt", "mine");
    run.args(["export", "brief-creater", "--out", "dist"])
        .run()
        .code(2)
        .stderr_contains("no skill `brief-creater` in this project")
        .stderr_contains("did you mean `brief-creator`?")
        .done();
    Test::example().args(["export", "brief-creator", "--out", "dist", "--format", "sarif"]).run().code(2).done();
}

// ---------------------------------------------------------------------------------------------
// Round trips

/// What an artifact says, without the hashes of the file it came from.
fn artifact_without_hashes(test: &Test, name: &str) -> Value {
    let mut a: Value = serde_json::from_str(&test.read(&format!(".agentbuilder/cache/compiled/{name}"))).unwrap();
    let map = a.as_object_mut().unwrap();
    map.remove("source_hash");
    map.remove("content_hash");
    a
}

#[test]
fn export_import_export_keeps_every_example_skill() {
    let ids = [
        "brief-creator",
        "client-analyzer",
        "deadline-tracker",
        "quality-checker",
        "resource-scanner",
        "timeline-estimator",
    ];
    let mut export = vec!["export"];
    export.extend(ids);
    export.extend(["--out", "dist"]);
    let original = Test::example().args(["compile"]).run().code(0);
    let exported = original.test.args(export.clone()).run().code(0);

    // Import the folders into a fresh project: the same skills, lint clean, same artifacts.
    let dist = exported.test.path().join("dist");
    let imported = Test::new().args(["import", dist.to_str().unwrap()]).run().code(0);
    let imported = imported.test.args(["compile"]).run().code(0);
    for name in std::fs::read_dir(exported.test.path().join(".agentbuilder/cache/compiled")).unwrap() {
        let name = name.unwrap().file_name().to_string_lossy().into_owned();
        assert_eq!(
            artifact_without_hashes(&imported.test, &name),
            artifact_without_hashes(&exported.test, &name),
            "{name} changed in the round trip"
        );
    }
    // And export again: the same bytes.
    let again = imported.test.args(export).run().code(0);
    for id in ids {
        assert_eq!(
            again.test.read(&format!("dist/{id}/SKILL.md")),
            exported.test.read(&format!("dist/{id}/SKILL.md")),
            "{id}: the second export differs"
        );
    }
}

#[test]
fn import_export_import_keeps_every_public_skill() {
    let Some(corpus) = shared("corpus") else { return };
    let first = Test::new().args(["import", corpus.to_str().unwrap(), "--format", "json"]).run().code(0);
    let ids = ids(&first.json(), "imported");
    let mut export = vec!["export".to_owned()];
    export.extend(ids.iter().cloned());
    export.extend(["--out".to_owned(), "dist".to_owned()]);
    let exported = first.test.args(export).run().code(0);
    let dist = exported.test.path().join("dist");
    let second = Test::new().args(["import", dist.to_str().unwrap()]).run().code(0);
    for id in &ids {
        assert_eq!(
            second.test.read(&format!("skills/{id}.md")),
            exported.test.read(&format!("skills/{id}.md")),
            "{id}: import(export(import(y))) differs from import(y)"
        );
        assert_eq!(
            files(&second.test.path().join("skills").join(id)),
            files(&exported.test.path().join("skills").join(id)),
            "{id}: files"
        );
    }
    // export(import(y)) keeps what y says: keys (extra ones under metadata), body and files.
    for folder in skill_folders(&corpus) {
        let source = std::fs::read_to_string(folder.join("SKILL.md")).unwrap();
        let y = frontmatter(&source);
        let id = y["name"].as_str().unwrap();
        let text = std::fs::read_to_string(dist.join(id).join("SKILL.md")).unwrap();
        let x = frontmatter(&text);
        for key in ["name", "description", "license", "compatibility"] {
            assert_eq!(x[key], y[key], "{id}: {key}");
        }
        let tools = |v: &Value| -> Vec<String> {
            match v {
                Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
                Value::Array(a) => a.iter().map(|t| t.as_str().unwrap().to_owned()).collect(),
                _ => Vec::new(),
            }
        };
        assert_eq!(tools(&x["allowed-tools"]), tools(&y["allowed-tools"]), "{id}: allowed-tools");
        if let Some(meta) = y["metadata"].as_object() {
            for (k, v) in meta {
                assert!(x["metadata"][k].is_string(), "{id}: metadata.{k} is lost");
                if let Some(s) = v.as_str() {
                    assert_eq!(x["metadata"][k], s, "{id}: metadata.{k}");
                }
            }
        }
        for k in y.as_object().unwrap().keys() {
            if !["name", "description", "license", "compatibility", "allowed-tools", "metadata"].contains(&k.as_str()) {
                assert!(x["metadata"][k].is_string(), "{id}: the extra key `{k}` is lost");
            }
        }
        assert_eq!(body(&text), body(&source).replace("\r\n", "\n"), "{id}: the body changed");
        let mut source_files = files(&folder);
        source_files.remove("SKILL.md");
        let mut exported_files = files(&dist.join(id));
        exported_files.remove("SKILL.md");
        assert_eq!(exported_files, source_files, "{id}: the bundled files changed");
    }
}

#[test]
fn values_with_dashes_quotes_and_line_breaks_survive_export_and_import() {
    let skill = "---\nid: tricky\ntype: skill\nversion: 2.1.0\nstatus: active\ncategory: odd\ndescription: \"Splits --- on \\\"fences\\\": and # comments\\nover two lines.\"\ntriggers:\n  - schedule: \"0 8 * * 1-5\"\ninputs:\n  - name: text\n    type: string\n    required: true\n    description: \"a --- b\"\nlicense: \"MIT --- or not\"\nmetadata:\n  note: \"1.0\"\n  dash: \"---\"\nallowed_tools:\n  - Bash(git diff:*)\n  - Read\n---\n# Tricky\n\n## Purpose\nP.\n\n---\n\n## Process\n1. Step\n";
    let run = Test::new().skill("tricky.md", skill).args(["lint"]).run().code(0);
    let run = run.test.args(["export", "tricky", "--out", "dist"]).run().code(0);
    let text = run.test.read("dist/tricky/SKILL.md");
    let front = &text[3..text[3..].find("\n---").unwrap() + 3];
    assert!(!front.contains("---"), "{front}");
    if let Some(validator) = skills_ref() {
        assert_valid(&validator, &run.test.path().join("dist/tricky"));
    }
    let dist = run.test.path().join("dist");
    let back = Test::new().args(["import", dist.to_str().unwrap()]).run().code(0);
    let original = frontmatter(skill);
    let imported = frontmatter(&back.test.read("skills/tricky.md"));
    for key in
        ["version", "status", "category", "description", "triggers", "inputs", "license", "metadata", "allowed_tools"]
    {
        assert_eq!(imported[key], original[key], "{key}");
    }
    assert_eq!(body(&back.test.read("skills/tricky.md")), body(skill));
}
