//! The README cannot rot: its shell blocks, extracted from README.md itself, run in order on a
//! copy of the example project with the built binary on `PATH`; the CI workflow's agentb
//! commands parse; the example config parses with every commented example enabled.

use std::path::Path;
use std::process::Command;

use crate::support::repo;

/// Returns the ```` ```sh ```` blocks of a Markdown text, in order.
fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == "```sh" => current = Some(String::new()),
            Some(block) if line.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn the_readme_tour_runs_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let blocks = shell_blocks(&readme);
    assert!(blocks.len() >= 10, "the README lost its tour: {} shell blocks", blocks.len());
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["skills", "personas"] {
        copy_dir(&repo().join(sub), &dir.path().join(sub));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_agentb")).parent().expect("bin dir").to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let mut transcript = String::new();
    let mut ran = 0;
    for block in &blocks {
        // Building and installing agentb is what this test's harness did already.
        let script: String = block.lines().filter(|l| !l.starts_with("cargo ")).flat_map(|l| [l, "\n"]).collect();
        if script.trim().is_empty() {
            continue;
        }
        ran += 1;
        let out = Command::new("bash")
            .args(["-e", "-o", "pipefail", "-c", &script])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run bash");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        transcript.push_str(&script);
        transcript.push_str(&stdout);
        transcript.push_str(&stderr);
        assert!(
            out.status.success(),
            "a README block failed ({:?}):\n{script}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            out.status.code()
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(ran >= 10, "{ran} blocks ran");
    // The tour does what it says.
    for expected in [
        "Created skills/brief-writer.md",
        "test result: ok.",
        "minor  optional input `tone` added",
        "Bumped brief-creator 1.0.0 → 1.1.0",
        "canary 25%",
        "Promoted",
        "Rolled back",
        "\"model\": \"claude-sonnet-4-5\"",
    ] {
        assert!(transcript.contains(expected), "the tour never printed {expected:?}\n{transcript}");
    }
}

#[test]
fn the_ci_workflow_runs_the_commands_the_readme_names_and_they_parse() {
    let workflow = std::fs::read_to_string(repo().join(".github/workflows/agentb.yml")).expect("workflow");
    let commands: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: ").or_else(|| l.trim().strip_prefix("- run: ")))
        .filter(|l| l.starts_with("agentb "))
        .collect();
    for needed in
        ["lint --format sarif", "compile --check", "version check", "test --format junit", "deploy --plan --exit-code"]
    {
        assert!(commands.iter().any(|c| c.contains(needed)), "the workflow lacks `agentb {needed}`: {commands:?}");
    }
    for command in commands {
        let words: Vec<&str> = command.split('>').next().unwrap_or(command).split_whitespace().collect();
        let words: Vec<String> = words.iter().map(|w| w.replace("${{ github.base_ref }}", "main")).collect();
        if let Err(e) = agentb::cli::help::command().try_get_matches_from(&words) {
            panic!("the workflow's `{command}` does not parse:\n{e}");
        }
    }
}

#[test]
fn the_example_config_parses_with_every_commented_example_enabled() {
    let text = std::fs::read_to_string(repo().join(".agentbuilder.toml.example")).expect("example");
    agentb::config::Config::parse(&text, Path::new(".agentbuilder.toml.example")).expect("the example parses");
    // `# key = value` and `# [table]` lines are examples; uncommented, they must parse too.
    let enabled: String = text
        .lines()
        .flat_map(|l| {
            let line = match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[') || rest.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    rest
                }
                _ => l,
            };
            [line, "\n"]
        })
        .collect();
    agentb::config::Config::parse(&enabled, Path::new("enabled.toml"))
        .unwrap_or_else(|e| panic!("the commented examples do not parse: {e}\n{enabled}"));
    // Every setting line carries a comment (on it, or on the line above).
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let setting = line.trim_start_matches("# ");
        let is_setting = setting.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ') && !k.starts_with('#'));
        if is_setting && !line.starts_with('#') {
            let commented = line.contains(" # ") || i.checked_sub(1).is_some_and(|p| lines[p].starts_with('#'));
            assert!(commented, "line {}: `{line}` has no comment", i + 1);
        }
    }
}
