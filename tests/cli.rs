//! The command line as a whole: global flags, `--version`, `--help`, the settings step (`-C`,
//! `--config`, discovery, config errors), `--format` checks, `explain`, `init`, `new`,
//! `completions`, and the checked-in generated files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Test, repo};

const BROKEN_SKILL: &str = "---\nid: broken\ntype: skill\nverison: 1.0.0\n---\n";

// ---------------------------------------------------------------------------------------------
// --version, --help, usage errors

#[test]
fn version() {
    let expected = format!("agentb {}\n", env!("CARGO_PKG_VERSION"));
    for flag in ["--version", "-V"] {
        let run = Test::new().args([flag]).run().no_panic().code(0);
        assert_eq!(run.stdout, expected);
        assert_eq!(run.stderr, "");
    }
    // Propagated to subcommands.
    Test::new().args(["lint", "--version"]).run().code(0).stdout_contains(env!("CARGO_PKG_VERSION")).done();
}

#[test]
fn help_snapshot() {
    let run = Test::new().args(["--help"]).run().no_panic().code(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn help_lists_only_working_commands() {
    let run = Test::new().args(["--help"]).run().code(0);
    for command in ["lint", "compile", "explain", "init", "new", "completions"] {
        assert!(run.stdout.contains(&format!("\n  {command} ")), "`{command}` missing from --help\n{}", run.stdout);
    }
    // The hidden maintenance command is not advertised.
    assert!(!run.stdout.contains("generate-docs"), "{}", run.stdout);
}

#[test]
fn subcommand_help() {
    Test::new()
        .args(["lint", "--help"])
        .run()
        .no_panic()
        .code(0)
        .stdout_contains("Usage: agentb lint [OPTIONS] [PATH]...")
        .stdout_contains("--fix")
        .stdout_contains("--deny <RULE>")
        .done();
    Test::new().args(["help", "compile"]).run().code(0).stdout_contains("--check").done();
}

#[test]
fn no_arguments_is_a_usage_error() {
    Test::new().run().no_panic().code(2).stderr_contains("Usage: agentb [OPTIONS] <COMMAND>").done();
}

#[test]
fn unknown_subcommand_and_flag_are_usage_errors() {
    Test::new()
        .args(["frobnicate"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("unrecognized subcommand 'frobnicate'")
        .done();
    Test::new().args(["lint", "--frobnicate"]).run().no_panic().code(2).stderr_contains("--frobnicate").done();
    Test::new()
        .args(["--format", "xml", "lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("invalid value 'xml'")
        .done();
    Test::new().args(["--color", "sometimes", "lint"]).run().no_panic().code(2).done();
}

// ---------------------------------------------------------------------------------------------
// Global flags

#[test]
fn quiet_hides_status_lines_but_not_problems() {
    Test::example().args(["-q", "lint"]).run().no_panic().code(0).stderr_lacks("Checked").done();
    Test::example()
        .args(["--quiet", "compile"])
        .run()
        .no_panic()
        .code(0)
        .stderr_lacks("Compiled")
        .stderr_lacks("Finished")
        .done();
    Test::new()
        .skill("broken.md", BROKEN_SKILL)
        .args(["-q", "lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB010]")
        .done();
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let broken = || Test::new().skill("broken.md", BROKEN_SKILL);
    // The harness sets NO_COLOR and stderr is a pipe: no colors by default.
    broken().args(["lint"]).run().no_panic().code(1).stderr_lacks("\x1b[").done();
    broken().args(["--color", "never", "lint"]).run().code(1).stderr_lacks("\x1b[").done();
    broken().args(["--color", "always", "lint"]).run().no_panic().code(1).stderr_contains("\x1b[").done();
    // Colors never reach machine-readable output.
    let run = broken().args(["--color", "always", "lint", "--format", "json"]).run().code(1);
    assert!(!run.stdout.contains('\x1b'), "{}", run.stdout);
    run.json();
}

#[test]
fn verbose_no_input_and_yes_are_accepted_everywhere() {
    Test::example().args(["-vvv", "--no-input", "--yes", "lint"]).run().no_panic().code(0).done();
    // Global flags may also come after the subcommand.
    let run = Test::example().args(["lint", "-v", "--format", "json", "--no-input"]).run().no_panic().code(0);
    run.json();
}

// ---------------------------------------------------------------------------------------------
// -C, --config, discovery

#[test]
fn dash_c_runs_in_another_directory() {
    Test::new()
        .skill("clean-elsewhere.md", "not even frontmatter")
        .file("proj/skills/broken.md", BROKEN_SKILL)
        .args(["-C", "proj", "lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("--> skills/broken.md:4:1")
        .stderr_lacks("clean-elsewhere")
        .done();
    // `-C` also sets where relative paths start.
    Test::new()
        .file("proj/skills/broken.md", BROKEN_SKILL)
        .args(["-C", "proj", "lint", "skills/broken.md"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("error[AB010]")
        .done();
}

#[test]
fn dash_c_to_a_missing_directory() {
    Test::new().args(["-C", "nowhere", "lint"]).run().no_panic().code(2).stderr_contains("no such directory").done();
}

#[test]
fn config_flag_names_the_file_and_its_folder_is_the_root() {
    Test::new()
        .skill("ignored.md", "")
        .file("conf/agentb.toml", "[project]\nskills = \"defs\"\n")
        .file("conf/defs/broken.md", BROKEN_SKILL)
        .args(["--config", "conf/agentb.toml", "lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("--> defs/broken.md:4:1")
        .stderr_lacks("ignored.md")
        .done();
}

#[test]
fn config_flag_to_a_missing_file() {
    Test::new()
        .args(["--config", "nope.toml", "lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("config file `")
        .stderr_contains("nope.toml` does not exist")
        .done();
}

#[test]
fn config_is_discovered_walking_up_from_a_subfolder() {
    Test::new()
        .file(".agentbuilder.toml", "[project]\nskills = \"defs\"\npersonas = \"people\"\n")
        .file("defs/broken.md", BROKEN_SKILL)
        .file("people/p.md", "---\nid: p\ntype: persona\nname: P\nallowed_skills: [ghost]\n---\n\nYou are P.\n")
        .file("deep/er/still/.keep", "")
        .cwd("deep/er/still")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("--> defs/broken.md:4:1")
        .stderr_contains("--> people/p.md:5:18")
        .stderr_contains("in 2 files")
        .done();
}

#[test]
fn without_a_config_the_defaults_apply() {
    // No config anywhere: `skills/` and `personas/` of the current directory.
    Test::new()
        .skill("broken.md", BROKEN_SKILL)
        .persona("p.md", "---\nid: p\ntype: persona\nname: P\nallowed_skills: [ghost]\n---\n\nYou are P.\n")
        .args(["lint"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("--> skills/broken.md:4:1")
        .stderr_contains("--> personas/p.md:5:18")
        .done();
}

#[test]
fn the_example_config_is_valid() {
    let example = std::fs::read_to_string(repo().join(".agentbuilder.toml.example")).expect("example config");
    Test::example().file(".agentbuilder.toml", example).args(["lint"]).run().no_panic().code(0).done();
}

#[test]
fn config_unknown_key_names_file_line_column_and_suggests() {
    Test::new()
        .file(".agentbuilder.toml", "[project]\nskills = \"skills\"\nperosnas = \"personas\"\n")
        .file("sub/.keep", "")
        .cwd("sub")
        .args(["lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains(".agentbuilder.toml:3:1: unknown field `perosnas`")
        .stderr_contains("hint: did you mean `personas`?")
        .stderr_lacks("RUST_BACKTRACE")
        .stderr_lacks("Error {")
        .done();
}

#[test]
fn config_errors_have_line_and_column() {
    let cases = [
        ("[claude]\nmax_tokens = \"many\"\n", ".agentbuilder.toml:2:14: invalid type: string \"many\""),
        ("[project\n", ".agentbuilder.toml:1:9:"),
        ("[limits.tier_calls]\nt1 = 3\nt4 = 1\n", ".agentbuilder.toml:3:1: unknown field `t4`"),
        ("[lint]\nmax_prompt_tokens = -1\n", ".agentbuilder.toml:2:21:"),
        ("\n\n[erp]\ndefault = \"prod\"\n", ".agentbuilder.toml:4:1: `erp.default` names the instance `prod`"),
        ("[deploy]\nconcurrency = 0\n", ".agentbuilder.toml:2:1: `deploy.concurrency` must be at least 1"),
        ("[proposals]\nt2_window = \"soon\"\n", ".agentbuilder.toml:2:1: `proposals.t2_window`"),
    ];
    for (config, expected) in cases {
        Test::example()
            .file(".agentbuilder.toml", config)
            .args(["lint"])
            .run()
            .no_panic()
            .code(2)
            .stderr_contains("error: ")
            .stderr_contains(expected)
            .done();
    }
}

#[test]
fn config_error_from_the_config_flag_names_that_file() {
    Test::new()
        .file("ci/strict.toml", "[lint]\ndenny = [\"warnings\"]\n")
        .args(["--config", "ci/strict.toml", "lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("strict.toml:2:1: unknown field `denny`")
        .stderr_contains("hint: did you mean `deny`?")
        .done();
}

#[test]
fn env_override_of_an_unknown_instance_is_a_usage_error() {
    Test::example()
        .env("AGENTB_ERP_DEFAULT", "production")
        .args(["lint"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("`AGENTB_ERP_DEFAULT` names the unknown instance `production`")
        .done();
    Test::example().env("AGENTB_ERP_DEFAULT", "local").args(["lint"]).run().no_panic().code(0).done();
}

#[test]
fn explain_works_even_when_the_config_is_broken() {
    Test::new()
        .file(".agentbuilder.toml", "[nonsense]\n")
        .args(["explain", "AB001"])
        .run()
        .no_panic()
        .code(0)
        .stdout_contains("AB001 empty-file")
        .done();
}

// ---------------------------------------------------------------------------------------------
// --format support per command

#[test]
fn unsupported_format_is_a_usage_error() {
    for (command, format) in [("compile", "sarif"), ("compile", "github"), ("explain", "sarif"), ("explain", "github")]
    {
        Test::example()
            .args(["--format", format, command])
            .run()
            .no_panic()
            .code(2)
            .stderr_contains(&format!("error: this command does not support `--format {format}`"))
            .stderr_contains("hint: use one of `human`, `json`")
            .done();
    }
    // And nothing was written.
    let run = Test::example().args(["compile", "--format", "sarif"]).run().code(2);
    assert!(!run.test.path().join(".agentbuilder").exists());
}

// ---------------------------------------------------------------------------------------------
// explain

#[test]
fn explain_lists_every_rule() {
    let run = Test::new().args(["explain"]).run().no_panic().code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 44, "{}", run.stdout);
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("AB{:03}  ", i + 1)), "{line}");
    }
    assert!(run.stdout.contains("AB010  unknown-key"), "{}", run.stdout);
    assert!(run.stdout.contains("AB025  required-with-default        warning"), "{}", run.stdout);
}

#[test]
fn explain_list_as_json() {
    let run = Test::new().args(["explain", "--format", "json"]).run().no_panic().code(0);
    let list = run.json();
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 44);
    assert_eq!(list[0]["code"], "AB001");
    assert_eq!(list[0]["name"], "empty-file");
    assert_eq!(list[0]["level"], "error");
    assert!(list.iter().all(|r| r["summary"].as_str().is_some_and(|s| !s.is_empty())));
}

#[test]
fn explain_one_rule_by_code_or_name() {
    for key in ["AB010", "ab010", "unknown-key"] {
        Test::new()
            .args(["explain", key])
            .run()
            .no_panic()
            .code(0)
            .stdout_contains("AB010 unknown-key\ndefault level: error\n")
            .stdout_contains("did you mean")
            .done();
    }
    let run = Test::new().args(["explain", "AB033", "--format", "json"]).run().code(0);
    let rule = run.json();
    assert_eq!(rule["name"], "secret-in-file");
    assert!(rule["explanation"].as_str().is_some_and(|e| e.contains("sk-ant-")));
}

#[test]
fn explain_unknown_rule() {
    Test::new()
        .args(["explain", "AB999"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: unknown lint rule `AB999`")
        .stderr_contains("hint: run `agentb explain` to list the rules")
        .done();
    Test::new()
        .args(["explain", "yaml-sintax"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("hint: did you mean `yaml-syntax`?")
        .done();
}

// ---------------------------------------------------------------------------------------------
// init and new

#[test]
fn init_creates_a_project() {
    let run = Test::new().args(["init"]).run().no_panic().code(0).stderr_contains("Created");
    let root = run.test.path();
    assert!(root.join("skills").is_dir() && root.join("personas").is_dir());
    let config = run.test.read(".agentbuilder.toml");
    let example = std::fs::read_to_string(repo().join(".agentbuilder.toml.example")).expect("example config");
    // The example's settings, under init's own header: not the example's "copy this file".
    let (_, example_body) = example.split_once("\n\n").expect("a header paragraph");
    let (header, body) = config.split_once("\n\n").expect("a header paragraph");
    assert_eq!(body, example_body);
    assert!(header.contains("written by `agentb init`") && !header.contains("Copy"), "{header}");
    let gitignore = run.test.read(".agentbuilder/.gitignore");
    for ignored in ["cache/", "sessions/", "local/"] {
        assert!(gitignore.lines().any(|l| l == ignored), "{gitignore}");
    }
    assert!(!gitignore.lines().any(|l| l.starts_with("state.toml") || l.starts_with("releases")), "{gitignore}");
    // The new project lints clean, and a second init refuses to overwrite.
    let run = run.test.args(["lint"]).run().no_panic().code(0);
    run.test.args(["init"]).run().no_panic().code(2).stderr_contains("already exists").stderr_contains("hint: ").done();
}

#[test]
fn init_into_a_directory_argument() {
    let run = Test::new().args(["init", "team/agents"]).run().no_panic().code(0);
    assert!(run.test.path().join("team/agents/.agentbuilder.toml").is_file());
    assert!(run.test.path().join("team/agents/skills").is_dir());
}

#[test]
fn new_skill_and_persona_with_flags_pass_lint() {
    let run = Test::new().args(["init"]).run().code(0);
    let run = run
        .test
        .args([
            "new",
            "skill",
            "campaign-planner",
            "--category",
            "campaigns",
            "--description",
            "Plans a campaign: channels, budget and dates",
            "--trigger",
            "manual_invoke",
            "--trigger",
            "client_request_received",
            "--input",
            "client_id:string!",
            "--input",
            "channels:string[]",
            "--input",
            "client:Client",
            "--output",
            "plan:Brief",
            "--permission",
            "brief:create",
            "--permission",
            "client:read",
        ])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Created skills/campaign-planner.md");
    let run = run
        .test
        .args(["new", "persona", "planner", "--name", "Campaign Planner", "--allow-skill", "campaign-planner"])
        .run()
        .no_panic()
        .code(0)
        .stderr_contains("Created personas/planner.md");
    let run = run.test.args(["lint", "--deny", "warnings"]).run().no_panic().code(0).stderr_contains("Checked 2 files");
    let skill = run.test.read("skills/campaign-planner.md");
    assert!(skill.starts_with("---\nid: campaign-planner\ntype: skill\n"), "{skill}");
    assert!(skill.contains("## Purpose\n") && skill.contains("## Process\n1. "), "{skill}");
    // The artifact has what the flags said.
    let run = run.test.args(["compile", "--format", "json"]).run().no_panic().code(0);
    let artifact: serde_json::Value =
        serde_json::from_str(&run.test.read(".agentbuilder/cache/compiled/campaign-planner@0.1.0.json"))
            .expect("artifact JSON");
    assert_eq!(artifact["description"], "Plans a campaign: channels, budget and dates");
    assert_eq!(artifact["input_schema"]["required"], serde_json::json!(["client_id"]));
    assert_eq!(artifact["input_schema"]["properties"]["channels"]["type"], "array");
    let tools: Vec<&str> = artifact["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(tools.contains(&"erp_create_brief") && tools.contains(&"erp_get_client"), "{tools:?}");
}

#[test]
fn new_without_flags_is_non_interactive_and_passes_lint() {
    // stdin is not a terminal: no prompt, the defaults are used.
    let run = Test::new().args(["new", "skill", "minimal"]).run().no_panic().code(0);
    let run = run.test.args(["new", "persona", "someone"]).run().no_panic().code(0);
    run.test.args(["lint", "--deny", "warnings"]).run().no_panic().code(0).stderr_contains("Checked 2 files").done();
}

#[test]
fn new_skill_quotes_values_that_yaml_would_misread() {
    // Each of these would change type or meaning as a plain YAML scalar.
    let tricky = [
        "line one\nline two",
        "0x1F",
        "0o17",
        ".inf",
        ".NaN",
        "Null",
        "true",
        "1.5",
        "a: b",
        "x #y",
        "#hash",
        "*star",
        "it's \"quoted\"",
        "[list]",
        "{map}",
        "trailing ",
        "tab\tinside",
        "déjà vu",
        "---",
    ];
    for (i, text) in tricky.iter().enumerate() {
        let id = format!("tricky-{i}");
        let run = Test::new()
            .args([
                "new".to_owned(),
                "skill".to_owned(),
                id.clone(),
                format!("--description={text}"),
                format!("--category={text}"),
            ])
            .run()
            .no_panic()
            .code(0);
        let run =
            run.test.args(["new".to_owned(), "persona".to_owned(), id.clone(), format!("--name={text}")]).run().code(0);
        let run = run.test.args(["lint"]).run().no_panic();
        assert_eq!(run.code, Some(0), "{text:?} does not survive as a YAML value\n{}", run.stderr);
        let run = run.test.args(["compile", &id]).run().no_panic().code(0);
        let artifact: serde_json::Value =
            serde_json::from_str(&run.test.read(&format!(".agentbuilder/cache/compiled/{id}@0.1.0.json"))).unwrap();
        assert_eq!(artifact["description"], *text, "{text:?} changed on the way");
        assert_eq!(artifact["category"], *text, "{text:?} changed on the way");
    }
}

#[test]
fn new_refuses_empty_values() {
    for flag in ["--description=", "--category=", "--description=   "] {
        Test::new()
            .args(["new", "skill", "empty-values", flag])
            .run()
            .no_panic()
            .code(2)
            .stderr_contains("error: ")
            .done();
    }
    Test::new().args(["new", "persona", "nameless", "--name="]).run().no_panic().code(2).done();
}

#[test]
fn new_refuses_bad_ids_types_and_overwrites() {
    Test::new()
        .args(["new", "skill", "Brief_Creator"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: invalid id `Brief_Creator`")
        .stderr_contains("e.g. `brief-creator`")
        .done();
    Test::new()
        .args(["new", "skill", "typed", "--input", "when:timestamp"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("unknown type `timestamp`")
        .done();
    Test::new()
        .args(["new", "skill", "perm", "--permission", "brief:write"])
        .run()
        .no_panic()
        .code(2)
        // The real reason (issue 14), not only the shape.
        .stderr_contains("unknown action `write` in permission `brief:write`")
        .stderr_contains("hint: the actions are read, create, update, delete, execute")
        .done();
    Test::new()
        .args(["new", "skill", "trig", "--trigger", "ClientRequest"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("hint: e.g. `client_request`")
        .done();
    let run = Test::example().args(["new", "skill", "brief-creator"]).run().no_panic().code(2);
    run.stderr_contains("`skills/brief-creator.md` already exists").stderr_contains("--force").done();
    let run = Test::example().args(["new", "skill", "brief-creator", "--force"]).run().no_panic().code(0);
    assert!(run.test.read("skills/brief-creator.md").contains("version: 0.1.0"));
}

#[test]
fn new_persona_refuses_unknown_skills() {
    let run = Test::example()
        .args(["new", "persona", "helper", "--allow-skill", "brief-creater"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: no skill `brief-creater` in this project")
        .stderr_contains("hint: did you mean `brief-creator`?");
    assert!(!run.test.path().join("personas/helper.md").exists());
}

// ---------------------------------------------------------------------------------------------
// completions and generated files

/// The shells, a line each script must contain, and the checked-in file.
const SHELLS: [(&str, &str, &str); 5] = [
    ("bash", "complete -F _agentb", "agentb.bash"),
    ("zsh", "#compdef agentb", "_agentb"),
    ("fish", "complete -c agentb", "agentb.fish"),
    ("elvish", "edit:completion:arg-completer[agentb]", "agentb.elv"),
    ("powershell", "Register-ArgumentCompleter", "_agentb.ps1"),
];

#[test]
fn completions_for_every_shell() {
    for (shell, marker, file) in SHELLS {
        let run = Test::new().args(["completions", shell]).run().no_panic().code(0);
        assert!(run.stdout.contains(marker), "{shell}: no {marker:?}");
        for command in ["lint", "compile", "explain"] {
            assert!(run.stdout.contains(command), "{shell}: `{command}` is not completed");
        }
        let checked_in = std::fs::read_to_string(repo().join("completions").join(file)).unwrap_or_default();
        assert!(run.stdout == checked_in, "{shell}: `completions/{file}` differs; run `cargo run -- generate-docs .`");
    }
}

#[test]
fn completions_for_an_unknown_shell() {
    Test::new().args(["completions", "tcsh"]).run().no_panic().code(2).stderr_contains("invalid value 'tcsh'").done();
}

/// Returns every file under `dir`, by path relative to it.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            for (sub, bytes) in tree(&path) {
                files.insert(format!("{name}/{sub}"), bytes);
            }
        } else {
            files.insert(name, std::fs::read(&path).expect("read file"));
        }
    }
    files
}

#[test]
fn checked_in_completions_and_man_pages_are_fresh() {
    let run = Test::new().args(["generate-docs", "generated"]).run().no_panic().code(0);
    let generated = run.test.path().join("generated");
    for folder in ["completions", "man"] {
        let fresh = tree(&generated.join(folder));
        let checked_in = tree(&repo().join(folder));
        assert!(!fresh.is_empty(), "generate-docs wrote no {folder}/");
        let stale: Vec<&String> = fresh
            .iter()
            .filter(|(name, bytes)| checked_in.get(*name) != Some(*bytes))
            .map(|(name, _)| name)
            .chain(checked_in.keys().filter(|name| !fresh.contains_key(*name)))
            .collect();
        assert!(
            stale.is_empty(),
            "`{folder}/` is stale ({stale:?} differ, are missing or are extra); run `cargo run -- generate-docs .`"
        );
    }
}

#[test]
fn man_pages_cover_every_subcommand() {
    let run = Test::new().args(["generate-docs", "out"]).run().no_panic().code(0);
    let pages = tree(&run.test.path().join("out/man"));
    for page in [
        "agentb.1",
        "agentb-lint.1",
        "agentb-compile.1",
        "agentb-explain.1",
        "agentb-init.1",
        "agentb-new.1",
        "agentb-new-skill.1",
        "agentb-new-persona.1",
        "agentb-completions.1",
    ] {
        let bytes = pages.get(page).unwrap_or_else(|| panic!("no man page {page}: {:?}", pages.keys()));
        assert!(bytes.starts_with(b".ie") || bytes.starts_with(b".TH"), "{page} is not a man page");
    }
    assert!(!pages.keys().any(|p| p.contains("generate-docs") || p.contains("help")), "{:?}", pages.keys());
}
