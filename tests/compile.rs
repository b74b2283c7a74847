//! `agentb compile`: artifacts of SPEC §5, deterministic to the byte, `--check`, `--out`,
//! `--format json`, and lint errors stopping it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::Test;

const COMPILED: &str = ".agentbuilder/cache/compiled";

/// The example's skills and the versions in their file names.
const EXAMPLE_ARTIFACTS: [&str; 6] = [
    "brief-creator@1.0.0.json",
    "client-analyzer@1.0.0.json",
    "deadline-tracker@1.0.0.json",
    "quality-checker@1.0.0.json",
    "resource-scanner@1.1.0.json",
    "timeline-estimator@1.2.0.json",
];

/// Returns every file of a folder (not recursive) with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| {
            let e = e.expect("dir entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read artifact"))
        })
        .collect()
}

fn artifact(test: &Test, name: &str) -> Value {
    serde_json::from_str(&test.read(&format!("{COMPILED}/{name}"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn compiles_every_example_skill() {
    let run = Test::example()
        .args(["compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Compiled brief-creator v1.0.0 → .agentbuilder/cache/compiled/brief-creator@1.0.0.json")
        .stderr_contains("Finished 6 skills (6 changed, 0 up to date)");
    // Artifacts are files, not data: nothing on stdout.
    assert_eq!(run.stdout, "");
    let written = files(&run.test.path().join(COMPILED));
    assert_eq!(written.keys().map(String::as_str).collect::<Vec<_>>(), EXAMPLE_ARTIFACTS);
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    let run = Test::example().args(["compile"]).run().code(0);
    let first = files(&run.test.path().join(COMPILED));
    let run = run
        .test
        .args(["compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Finished 6 skills (0 changed, 6 up to date)")
        .stderr_lacks("Compiled");
    assert_eq!(files(&run.test.path().join(COMPILED)), first);

    // A separate copy of the same sources, compiled from scratch, gives the same bytes too.
    let other = Test::example().args(["compile"]).run().code(0);
    assert_eq!(files(&other.test.path().join(COMPILED)), first);
    // ...and so does deleting the output and compiling again.
    std::fs::remove_dir_all(other.test.path().join(COMPILED)).expect("remove artifacts");
    let other = other.test.args(["compile"]).run().code(0);
    assert_eq!(files(&other.test.path().join(COMPILED)), first);
}

#[test]
fn artifact_has_every_spec_key() {
    let run = Test::example().args(["compile"]).run().code(0);
    for name in EXAMPLE_ARTIFACTS {
        let a = artifact(&run.test, name);
        for key in [
            "id",
            "name",
            "version",
            "status",
            "category",
            "description",
            "triggers",
            "dependencies",
            "permissions",
            "input_schema",
            "output_schema",
            "tools",
            "system_prompt",
            "limits",
            "source_hash",
            "content_hash",
        ] {
            assert!(a.get(key).is_some(), "{name} lacks `{key}`");
        }
        let (id, version) = name.trim_end_matches(".json").split_once('@').unwrap();
        assert_eq!(a["id"], id);
        assert_eq!(a["version"], version);
        assert!(a["system_prompt"].as_str().is_some_and(|p| p.len() > 200), "{name}: empty prompt");
    }
}

#[test]
fn brief_creator_artifact_contents() {
    let run = Test::example().args(["compile", "brief-creator"]).run().no_panic().code(0);
    let a = artifact(&run.test, "brief-creator@1.0.0.json");
    assert_eq!(a["name"], "Brief Creator");
    assert_eq!(a["status"], "active");
    assert_eq!(a["category"], "briefs");
    assert_eq!(a["triggers"], json!([{"event": "client_request_received"}, {"event": "manual_invoke"}]));
    assert_eq!(
        a["dependencies"],
        json!([
            {"id": "resource-scanner", "requirement": "^1.0", "version": "1.1.0"},
            {"id": "timeline-estimator", "requirement": "^1.0", "version": "1.2.0"},
        ])
    );
    assert_eq!(a["permissions"], json!(["brief:create", "client:read", "knowledge:read", "deliverable:read"]));

    let input = &a["input_schema"];
    assert_eq!(input["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(input["type"], "object");
    assert_eq!(input["required"], json!(["client_context", "request_details"]));
    assert_eq!(input["properties"]["priority"]["enum"], json!(["low", "normal", "high"]));
    assert_eq!(input["properties"]["priority"]["default"], "normal");
    assert_eq!(
        input["properties"]["desired_launch"],
        json!({"type": "string", "format": "date", "description": "The launch or delivery date the client asked for, if any."})
    );
    let output = &a["output_schema"];
    assert_eq!(output["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // Outputs are required unless they say otherwise.
    assert_eq!(output["required"], json!(["draft_brief", "quality_warnings"]));
    assert_eq!(output["properties"]["quality_warnings"]["type"], "array");
    assert_eq!(output["properties"]["quality_warnings"]["items"], json!({"type": "string"}));

    let tiers: BTreeMap<&str, &str> = a["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["tier"].as_str().unwrap()))
        .collect();
    assert_eq!(tiers.get("erp_create_brief"), Some(&"t2"), "{tiers:?}");
    assert_eq!(tiers.get("erp_get_client"), Some(&"t1"), "{tiers:?}");
    assert_eq!(tiers.get("erp_list_clients"), Some(&"t1"), "{tiers:?}");
    assert_eq!(tiers.get("erp_get_knowledge"), Some(&"t1"), "{tiers:?}");
    // Only what the permissions grant.
    assert!(!tiers.keys().any(|t| t.contains("delete") || t.contains("update")), "{tiers:?}");
    for tool in a["tools"].as_array().unwrap() {
        jsonschema::meta::validate(&tool["input_schema"])
            .unwrap_or_else(|e| panic!("{}: input_schema is not a JSON Schema: {e}", tool["name"]));
    }

    // The skill tightened max_turns; the rest are the project's.
    assert_eq!(a["limits"]["max_turns"], 8);
    assert_eq!(a["limits"]["max_wall_secs"], 300);
    assert_eq!(a["limits"]["tier_calls"], json!({"t1": 30, "t2": 5, "t3": 2}));

    let prompt = a["system_prompt"].as_str().unwrap();
    for needle in [
        "Turn a raw client request into a draft brief",
        "A brief is complete when it has actionable deliverables, clear timeline, and comparable reference work.",
        "Load the client with `erp_get_client`",
        "missing client context or unknown client id: Stop and ask for the client id",
        "quality_warnings",
    ] {
        assert!(prompt.contains(needle), "the prompt lacks {needle:?}\n{prompt}");
    }
}

#[test]
fn deletes_and_money_tools_get_tier_3_and_config_overrides_tiers() {
    let skill = "---\nid: money\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: finance\n\
                 description: Moves money.\ntriggers:\n  - event: manual_invoke\npermissions:\n  - brief:delete\n  \
                 - invoice:create\n  - client:update\n---\n\n# Money\n\n## Purpose\nTest tiers.\n\n## Process\n1. Pay\n";
    let tiers = |run: &crate::support::Run| -> BTreeMap<String, String> {
        artifact(&run.test, "money@1.0.0.json")["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t["tier"].as_str().unwrap().to_owned()))
            .collect()
    };
    let run = Test::new().skill("money.md", skill).args(["compile"]).run().no_panic().code(0);
    let t = tiers(&run);
    assert_eq!(t.get("erp_delete_brief").map(String::as_str), Some("t3"), "{t:?}");
    assert_eq!(t.get("erp_create_invoice").map(String::as_str), Some("t3"), "{t:?}");
    assert_eq!(t.get("erp_update_client").map(String::as_str), Some("t2"), "{t:?}");

    let run = run
        .test
        .file(".agentbuilder.toml", "[tiers]\nerp_update_client = \"t3\"\n")
        .args(["compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Recompiled money v1.0.0");
    assert_eq!(tiers(&run).get("erp_update_client").map(String::as_str), Some("t3"));
}

#[test]
fn content_hash_is_the_sha256_of_the_artifact_without_it() {
    let run = Test::example().args(["compile"]).run().code(0);
    for name in EXAMPLE_ARTIFACTS {
        let mut a = artifact(&run.test, name);
        let recorded = a["content_hash"].as_str().unwrap().to_owned();
        assert_eq!(recorded.len(), 64);
        a["content_hash"] = json!("");
        let compact = serde_json::to_vec(&a).unwrap();
        assert_eq!(sha256_hex(&compact), recorded, "{name}: content_hash does not match");
    }
}

#[test]
fn source_hash_is_the_sha256_of_the_file() {
    // A BOM and CRLF line endings are part of the file's bytes.
    let original = std::fs::read_to_string(crate::support::repo().join("skills/quality-checker.md")).unwrap();
    let windows = [b"\xEF\xBB\xBF".as_slice(), original.replace('\n', "\r\n").as_bytes()].concat();
    let run = Test::example().skill("quality-checker.md", &windows).args(["compile"]).run().no_panic().code(0);
    for name in EXAMPLE_ARTIFACTS {
        let a = artifact(&run.test, name);
        let id = a["id"].as_str().unwrap();
        let bytes = run.test.read_bytes(&format!("skills/{id}.md"));
        assert_eq!(a["source_hash"], sha256_hex(&bytes), "{name}");
    }
    // Line endings do not change the meaning: the same prompt as from the LF file.
    let lf = Test::example().args(["compile", "quality-checker"]).run().code(0);
    let (a, b) = (artifact(&run.test, "quality-checker@1.0.0.json"), artifact(&lf.test, "quality-checker@1.0.0.json"));
    assert_eq!(a["system_prompt"], b["system_prompt"]);
    assert_ne!(a["source_hash"], b["source_hash"]);
}

#[test]
fn schemas_are_valid_json_schema_2020_12() {
    let run = Test::example().args(["compile"]).run().code(0);
    for name in EXAMPLE_ARTIFACTS {
        let a = artifact(&run.test, name);
        for key in ["input_schema", "output_schema"] {
            let schema = &a[key];
            assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name} {key}");
            jsonschema::meta::validate(schema).unwrap_or_else(|e| panic!("{name} {key} is not a JSON Schema: {e}"));
            jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{name} {key} does not compile: {e}"));
        }
    }
}

#[test]
fn input_schema_accepts_good_input_and_rejects_bad() {
    let run = Test::example().args(["compile", "brief-creator"]).run().code(0);
    let schema = artifact(&run.test, "brief-creator@1.0.0.json")["input_schema"].clone();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles");
    let good = json!({
        "client_context": {"id": "c-1"},
        "request_details": "A launch video",
        "priority": "high",
        "budget": 12000.5,
        "desired_launch": "2026-03-01",
        "include_timeline": false,
    });
    assert!(validator.is_valid(&good));
    assert!(validator.is_valid(&json!({"client_context": {}, "request_details": "x"})));
    for bad in [
        json!({"client_context": {}}),
        json!({"client_context": {}, "request_details": "x", "priority": "urgent"}),
        json!({"client_context": {}, "request_details": "x", "budget": "lots"}),
        json!({"client_context": {}, "request_details": "x", "desired_launch": "next tuesday"}),
        json!({"client_context": {}, "request_details": "x", "unexpected": 1}),
        json!({"client_context": "acme", "request_details": "x"}),
    ] {
        assert!(!validator.is_valid(&bad), "accepted {bad}");
    }
}

#[test]
fn check_is_clean_when_fresh_and_fails_after_an_edit_without_writing() {
    let run = Test::example().args(["compile"]).run().code(0);
    let before = files(&run.test.path().join(COMPILED));
    let run = run
        .test
        .args(["compile", "--check"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Finished 6 skills (0 changed, 6 up to date)");

    // Edit one skill's description.
    let path = "skills/deadline-tracker.md";
    let edited = run.test.read(path).replacen("description: ", "description: Edited. ", 1);
    let run = run
        .test
        .file(path, edited)
        .args(["compile", "--check"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("Stale deadline-tracker v1.0.0")
        .stderr_contains("Finished 6 skills (1 changed, 5 up to date)");
    assert_eq!(files(&run.test.path().join(COMPILED)), before, "--check wrote something");

    // A version bump would create a new artifact: still nothing written.
    let bumped = run.test.read(path).replacen("version: 1.0.0", "version: 1.1.0", 1);
    let run = run.test.file(path, bumped).args(["compile", "--check"]).run().no_panic().code(1);
    assert_eq!(files(&run.test.path().join(COMPILED)), before, "--check wrote something");

    // Compiling for real brings it back to fresh.
    let run = run.test.args(["compile"]).run().code(0).stderr_contains("Compiled deadline-tracker v1.1.0");
    run.test.args(["compile", "--check"]).run().code(0).done();
}

#[test]
fn check_before_any_compile_fails_and_creates_nothing() {
    let run = Test::example().args(["compile", "--check"]).run().no_panic().code(1);
    assert!(!run.test.path().join(".agentbuilder").exists());
}

#[test]
fn lint_errors_stop_compile() {
    let run = Test::example()
        .skill("broken.md", "---\nid: broken\ntype: skill\nverison: 1.0.0\n---\n")
        .args(["compile"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB010]: unknown key `verison`")
        .stderr_contains("hint: fix the errors above");
    assert!(!run.test.path().join(COMPILED).exists(), "artifacts were written despite errors");
    // The same under --check and --format json.
    let run = run.test.args(["compile", "--check"]).run().no_panic().code(1);
    let run = run.test.args(["compile", "--format", "json"]).run().no_panic().code(1);
    let doc = run.json();
    assert!(doc["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == "AB010")), "{doc:#}");
}

#[test]
fn warnings_do_not_stop_compile() {
    let warned = "---\nid: warned\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: checks\n\
                  description: Has a warning.\ntriggers:\n  - event: manual_invoke\npermissions:\n  - spaceship:read\n\
                  ---\n\n# Warned\n\n## Purpose\nTest.\n\n## Process\n1. Go\n";
    let run = Test::example()
        .skill("warned.md", warned)
        .args(["compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("warning[AB030]")
        .stderr_contains("Finished 7 skills");
    assert_eq!(artifact(&run.test, "warned@1.0.0.json")["tools"], json!([]));
    // Unless warnings are denied.
    let run = Test::example()
        .skill("warned.md", warned)
        .file(".agentbuilder.toml", "[lint]\ndeny = [\"warnings\"]\n")
        .args(["compile"])
        .run()
        .no_panic()
        .code(1);
    assert!(!run.test.path().join(COMPILED).exists());
}

#[test]
fn selected_skills_only() {
    let run = Test::example().args(["compile", "resource-scanner", "deadline-tracker"]).run().no_panic().code(0);
    let written = files(&run.test.path().join(COMPILED));
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        ["deadline-tracker@1.0.0.json", "resource-scanner@1.1.0.json"]
    );
}

#[test]
fn unknown_skill_name_is_a_usage_error_with_a_hint() {
    let run = Test::example()
        .args(["compile", "brief-creater"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: no skill `brief-creater` in this project")
        .stderr_contains("hint: did you mean `brief-creator`?");
    assert!(!run.test.path().join(".agentbuilder").exists());
    Test::example()
        .args(["compile", "zzzzzzzz"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("hint: list the skills with `agentb lint`")
        .done();
}

#[test]
fn out_directory() {
    let run = Test::example()
        .args(["compile", "--out", "dist/artifacts"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("→ dist/artifacts/brief-creator@1.0.0.json");
    let written = files(&run.test.path().join("dist/artifacts"));
    assert_eq!(written.keys().map(String::as_str).collect::<Vec<_>>(), EXAMPLE_ARTIFACTS);
    assert!(!run.test.path().join(COMPILED).exists());
    // Relative to where agentb runs, and --check works against it.
    // (the root's config is discovered from `dist/`).
    let run = run
        .test
        .file(".agentbuilder.toml", "")
        .cwd("dist")
        .args(["compile", "--out", "artifacts", "--check"])
        .run()
        .no_panic()
        .code(0);
    let run = run.test.args(["compile", "--out", "elsewhere", "--check"]).run().no_panic().code(1);
    assert!(!run.test.path().join("elsewhere").exists());
}

#[test]
fn json_format() {
    let run = Test::example().args(["compile", "--format", "json"]).run().no_panic().code(0);
    // Data only on stdout; no status lines.
    run_has_no_status(&run.stderr);
    let doc = run.json();
    assert_eq!(doc["check"], false);
    let artifacts = doc["artifacts"].as_array().expect("artifacts");
    assert_eq!(artifacts.len(), 6);
    let first = &artifacts[0];
    assert_eq!(first["id"], "brief-creator");
    assert_eq!(first["version"], "1.0.0");
    assert_eq!(first["outcome"], "created");
    assert!(first["path"].as_str().is_some_and(|p| p.ends_with("brief-creator@1.0.0.json")), "{first}");
    let on_disk = artifact(&run.test, "brief-creator@1.0.0.json");
    assert_eq!(first["content_hash"], on_disk["content_hash"]);

    let run = run.test.args(["compile", "--format", "json", "--check"]).run().no_panic().code(0);
    let doc = run.json();
    assert_eq!(doc["check"], true);
    assert!(doc["artifacts"].as_array().unwrap().iter().all(|a| a["outcome"] == "fresh"), "{doc:#}");
}

fn run_has_no_status(stderr: &str) {
    assert!(!stderr.contains("Compiled") && !stderr.contains("Finished"), "{stderr}");
}

#[test]
fn compile_ignores_personas_but_needs_them_valid() {
    // A broken persona is a lint error, so compile stops.
    Test::example()
        .persona("ghost.md", "---\nid: ghost\ntype: persona\nname: Ghost\nallowed_skills: [nobody]\n---\n\nBoo.\n")
        .args(["compile"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB035]")
        .done();
}

/// A clean skill with this id.
fn skill_with_id(id: &str) -> String {
    format!(
        "---\nid: {id}\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: briefs\ndescription: Does {id}.\ntriggers:\n  - event: manual_invoke\ninputs:\n  - name: request\n    type: string\n    required: true\noutputs:\n  - name: result\n    type: string\npermissions:\n  - client:read\n---\n# Skill\n\n## Purpose\nDo it.\n\n## Process\n1. Step one\n"
    )
}

#[test]
fn many_changed_skills_are_summed_up_in_one_line_unless_verbose() {
    let mut test = Test::new();
    for i in 0..21 {
        test = test.skill(&format!("s{i:02}.md"), skill_with_id(&format!("s{i:02}")));
    }
    let run = test
        .args(["compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Compiled 21 skills → .agentbuilder/cache/compiled/ (21 new, 0 rebuilt; `-v` lists them)")
        .stderr_contains("Finished 21 skills (21 changed, 0 up to date)")
        .stderr_lacks("Compiled s00");
    let edited = skill_with_id("s00").replace("Do it.", "Do it well.");
    let run = run.test.skill("s00.md", edited).args(["compile"]).run().code(0).stderr_contains("Recompiled s00 v1.0.0");
    std::fs::remove_dir_all(run.test.path().join(COMPILED)).expect("remove artifacts");
    let run = run.test.args(["compile", "--check"]).run().code(1).stderr_contains("Stale 21 skills would change in");
    run.test
        .args(["-v", "compile"])
        .run()
        .code(0)
        .stderr_contains("Compiled s00 v1.0.0 → .agentbuilder/cache/compiled/s00@1.0.0.json")
        .stderr_contains("Compiled s20 v1.0.0")
        .done();
}
