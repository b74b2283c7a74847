//! A newcomer's first hour (issue 14, SPEC §12): help with global options apart and examples
//! at the end, `--format` per command, running outside a project, JSON errors, verbosity,
//! the same mistake with the same exit code, and the smaller frictions.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::support::flaky_erp::FlakyProxy;
use crate::support::{ErpServer, Test, repo};

const KEY: &str = "newcomer-test-key-0123456789";

/// Returns every file and folder under `dir`, relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            out.push(path.strip_prefix(dir).expect("inside").display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn read_only_commands_outside_a_project_create_no_file() {
    let commands: [&[&str]; 9] = [
        &["status"],
        &["lint"],
        &["erp", "ping"],
        &["erp", "org", "list"],
        &["version"],
        &["version", "check"],
        &["deploy", "--plan"],
        &["compile", "--check"],
        &["explain"],
    ];
    let outside = tempfile::tempdir().expect("temp dir");
    for args in commands {
        let empty = outside.path().join("empty");
        std::fs::create_dir_all(&empty).expect("mkdir");
        let mut all = vec!["-C".to_owned(), empty.display().to_string()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let run = Test::new().args(all).run().no_panic();
        // `deploy --plan` has no skills to deploy here (exit 2); the others succeed.
        assert!(matches!(run.code, Some(0..=2)), "{args:?}: {:?}\n{}", run.code, run.stderr);
        assert_eq!(listing(&empty), Vec::<String>::new(), "`agentb -C <empty> {}` created files", args.join(" "));
        if args != ["explain"] {
            assert_eq!(
                run.stderr.matches("note: no .agentbuilder.toml found; using the defaults").count(),
                1,
                "{args:?}: the note once\n{}",
                run.stderr
            );
        }
    }
    // What a read-only command reads is what a write would create: the configured orgs.
    let empty = outside.path().join("empty");
    Test::new()
        .args(["-C", empty.to_str().expect("utf-8"), "erp", "org", "list"])
        .run()
        .code(0)
        .stdout_contains("acme\nbeta\ncorp\ndemo\n")
        .done();
}

#[test]
fn quiet_drops_the_no_config_note_and_a_config_has_none() {
    Test::new().args(["-q", "status"]).run().code(0).stderr_lacks("no .agentbuilder.toml").done();
    Test::new()
        .file(".agentbuilder.toml", "")
        .args(["status"])
        .run()
        .code(0)
        .stderr_lacks("no .agentbuilder.toml")
        .done();
}

#[test]
fn help_puts_global_options_apart_and_ends_with_examples() {
    for args in [&["lint", "--help"][..], &["erp", "org", "list", "--help"], &["deploy", "-h"], &["--help"]] {
        let run = Test::new().args(args.iter().copied()).run().code(0);
        let out = &run.stdout;
        let global = out.find("Global options:").unwrap_or_else(|| panic!("{args:?}: no global heading\n{out}"));
        assert!(out[global..].contains("--no-input"), "{args:?}\n{out}");
        let examples = out.rfind("Examples:").unwrap_or_else(|| panic!("{args:?}: no examples\n{out}"));
        assert!(examples > global, "{args:?}: examples come last\n{out}");
        assert!(out[examples..].lines().skip(1).all(|l| l.starts_with("  agentb")), "{args:?}\n{out}");
    }
    let lint = Test::new().args(["lint", "--help"]).run().code(0);
    let (own, _) = lint.stdout.split_once("Global options:").expect("heading");
    assert!(own.contains("--fix") && !own.contains("--no-input"), "{}", lint.stdout);
}

#[test]
fn format_offers_only_the_formats_of_the_command() {
    let lint = Test::new().args(["lint", "--help"]).run().code(0);
    assert!(lint.stdout.contains("- sarif:") && !lint.stdout.contains("- junit:"), "{}", lint.stdout);
    let status = Test::new().args(["status", "--help"]).run().code(0);
    assert!(status.stdout.contains("- json:") && !status.stdout.contains("- sarif:"), "{}", status.stdout);
    Test::new()
        .args(["status", "--format", "junit"])
        .run()
        .code(2)
        .stderr_contains("invalid value 'junit' for '--format <FORMAT>'")
        .stderr_contains("[possible values: human, json]")
        .done();
    // Before the subcommand, `--format` is checked by the command itself.
    Test::new()
        .args(["--format", "junit", "status"])
        .run()
        .code(2)
        .stderr_contains("does not support `--format junit`")
        .done();
}

#[test]
fn errors_are_json_on_stdout_with_format_json() {
    let run = Test::new().args(["erp", "ping", "--org", "acem", "--format", "json"]).run().code(2);
    let error = &run.json()["error"];
    assert_eq!(error["message"], "instance `local` has no org `acem`");
    assert_eq!(error["hint"], "did you mean `acme`?");
    assert_eq!(error["exit_code"], 2);
    // A usage error clap finds, too.
    let run = Test::new().args(["status", "--format", "json", "--frobnicate"]).run().code(2);
    assert_eq!(run.json()["error"]["exit_code"], 2);
    assert!(run.json()["error"]["message"].as_str().is_some_and(|m| m.contains("--frobnicate")), "{}", run.stdout);
    // Without `--format json`, stdout stays empty.
    Test::new().args(["erp", "ping", "--org", "acem"]).run().code(2).done();
}

#[test]
fn version_bump_prints_what_it_did_as_json() {
    let run = Test::example().args(["version", "bump", "brief-creator", "minor", "--format", "json"]).run().code(0);
    let report = run.json();
    assert_eq!(report["skill"], "brief-creator");
    assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("1.0.0"), Some("1.1.0")));
    assert_eq!(report["changed"], true);
    assert!(run.test.read("skills/brief-creator.md").contains("version: 1.1.0"));
}

#[test]
fn the_same_unknown_org_exits_2_everywhere() {
    for args in [
        &["erp", "ping", "--org", "acem"][..],
        &["deploy", "--org", "acem", "--plan"],
        &[
            "run",
            "brief-creator",
            "--org",
            "acem",
            "--dry-run",
            "--input",
            "client_context={\"id\": \"c1\"}",
            "--input",
            "request_details=x",
        ],
    ] {
        Test::example()
            .args(args.iter().copied())
            .run()
            .no_panic()
            .code(2)
            .stderr_contains("`acem`")
            .stderr_contains("did you mean `acme`?")
            .done();
    }
}

#[test]
fn refusing_to_prompt_gives_the_real_reason() {
    for (flag, env, reason) in [
        (Some("--no-input"), None, "`--no-input` was given"),
        (None, Some("1"), "`CI` is set"),
        (None, None, "stdin is not a terminal"),
    ] {
        let mut test = Test::example();
        if let Some(ci) = env {
            test = test.env("CI", ci);
        }
        let mut args = vec!["deploy"];
        args.extend(flag);
        test.args(args)
            .run()
            .code(2)
            .stderr_contains(&format!("refusing to change the ERP without confirmation: {reason}"))
            .done();
    }
}

/// Serves one HTML page to every request, like a web server that is not an ERP.
fn web_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body =
                "<!DOCTYPE html><html><head><title>Welcome</title></head><body>secret intranet page</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn ping_against_a_web_server_does_not_dump_its_page() {
    let url = web_server();
    let config = format!("[erp.instances.web]\nurl = \"{url}\"\nmax_retries = 0\n");
    Test::new()
        .file(".agentbuilder.toml", config)
        .args(["erp", "ping", "--instance", "web"])
        .run()
        .no_panic()
        .code(3)
        .stderr_contains("HTML page")
        .output_lacks("secret intranet page")
        .output_lacks("<html")
        .done();
}

#[test]
fn a_mistyped_db_is_not_a_new_empty_database() {
    let run = Test::new().env("AGENTB_ERP_KEY", KEY).args(["erp", "serve", "--db", "erp.sqlte"]).run().code(2);
    let run = run.stderr_contains("no database at `--db erp.sqlte`").stderr_contains("--create");
    assert!(!run.test.path().join("erp.sqlte").exists());
    let run = run.test.args(["erp", "org", "list", "--db", "nope.sqlite"]).run().code(2).stderr_contains("no database");
    assert!(!run.test.path().join("nope.sqlite").exists());
    run.test
        .args(["erp", "org", "add", "x", "--db", "new.sqlite"])
        .run()
        .code(0)
        .stderr_contains("creating a new database")
        .done();
}

#[test]
fn a_config_error_lists_every_unknown_key() {
    let config = "[project]\nskils = \"x\"\n[claude]\nmodl = \"m\"\n[deploy]\nconcurency = 2\n";
    Test::new()
        .file(".agentbuilder.toml", config)
        .args(["lint"])
        .run()
        .code(2)
        .stderr_contains("3 unknown keys in")
        .stderr_contains(".agentbuilder.toml:2:1: unknown key `skils` (did you mean `skills`?)")
        .stderr_contains(".agentbuilder.toml:4:1: unknown key `modl` (did you mean `model`?)")
        .stderr_contains(".agentbuilder.toml:6:1: unknown key `concurency` (did you mean `concurrency`?)")
        .done();
}

#[test]
fn a_typo_of_a_command_suggests_the_one_it_is() {
    Test::new()
        .args(["lnt"])
        .run()
        .code(2)
        .stderr_contains("a similar subcommand exists: 'lint'")
        .stderr_lacks("'init'")
        .done();
}

#[test]
fn verbose_says_what_agentb_decided_and_keeps_the_libraries_quiet() {
    let run = Test::example().args(["-v", "deploy", "--plan"]).run().code(0);
    let run = run
        .stderr_contains("no .agentbuilder.toml found")
        .stderr_contains("instance `local`")
        .stderr_contains("orgs of `local` (from the config): acme, beta, corp, demo")
        .stderr_lacks("DEBUG");
    let server = ErpServer::builder().key(Some(KEY)).start();
    let config = server.instance_config("remote", "REMOTE_KEY");
    let test = run.test.file(".agentbuilder.toml", &config).env("REMOTE_KEY", KEY);
    let run = test.args(["-vv", "erp", "ping", "--instance", "remote"]).run().code(0);
    let run =
        run.stderr_contains("config: `").stderr_contains("ERP request").stderr_contains("status=200").output_lacks(KEY);
    let run = run.test.args(["-vvv", "erp", "ping", "--instance", "remote"]).run().code(0);
    let run = run.stderr_lacks("hyper").stderr_lacks("rustls").stderr_lacks("reqwest::").output_lacks(KEY);
    let run =
        run.test.env("RUST_LOG", "hyper_util=trace,agentb=info").args(["erp", "ping", "--instance", "remote"]).run();
    run.code(0).stderr_contains("hyper_util").output_lacks(KEY).done();
}

#[test]
fn man_pages_carry_a_date_and_pass_mandoc() {
    let man = repo().join("man");
    for entry in std::fs::read_dir(&man).expect("man/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read page");
        let th = text.lines().find(|l| l.starts_with(".TH ")).expect(".TH line");
        assert!(th.split(' ').nth(3).is_some_and(|d| d.len() == 10 && d.starts_with("20")), "{}: {th}", path.display());
    }
    let Ok(out) = std::process::Command::new("mandoc")
        .args(["-T", "lint", "-W", "warning"])
        .args(std::fs::read_dir(&man).expect("man/").map(|e| e.expect("entry").path()))
        .output()
    else {
        eprintln!("mandoc is not installed; the man pages' lint is skipped");
        return;
    };
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && report.trim().is_empty(), "mandoc -T lint:\n{report}");
}

#[test]
fn an_unreachable_instance_stops_a_deploy_before_applying() {
    let config =
        "[erp.instances.down]\nurl = \"http://127.0.0.1:1\"\nkey_env = \"K\"\norgs = [\"acme\"]\nmax_retries = 0\n";
    let run = Test::example()
        .file(".agentbuilder.toml", config)
        .env("K", KEY)
        .args(["deploy", "--instance", "down", "--yes"])
        .run()
        .no_panic()
        .code(3)
        .stderr_contains(
            "error: the plan is incomplete: the records of 1 org of `down` (http://127.0.0.1:1) could not be read",
        )
        .stderr_contains("nothing was changed")
        .stderr_lacks("Deployed")
        .stderr_lacks("run the same command again");
    assert!(!run.test.path().join(".agentbuilder/state.toml").exists());
}

#[test]
fn ctrl_c_during_a_deploy_says_how_much_was_applied() {
    let orgs: Vec<String> = (1..=12).map(|i| format!("org-{i:03}")).collect();
    let names: Vec<&str> = orgs.iter().map(String::as_str).collect();
    let server = ErpServer::builder().key(Some(KEY)).orgs(&names).start();
    let proxy = FlakyProxy::start(server.url());
    proxy.slow_writes(Some(Duration::from_millis(300)));
    let skill = std::fs::read_to_string(repo().join("skills/quality-checker.md")).expect("skill");
    let test = Test::new()
        .skill("quality-checker.md", skill)
        .file(".agentbuilder.toml", proxy.instance_config("slow", "SLOW_KEY"))
        .env("SLOW_KEY", KEY)
        .args(["deploy", "quality-checker", "--yes", "--concurrency", "1"]);
    let mut child = test.command().stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while proxy.writes() < 2 {
        assert!(std::time::Instant::now() < deadline, "the deploy never wrote");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("interrupted: ") && l.contains("changes applied"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.ends_with("of 12 changes applied; run the same command again to finish"), "{line}");
    let applied: usize = line["interrupted: ".len()..].split(' ').next().and_then(|n| n.parse().ok()).expect("a count");
    assert!((2..12).contains(&applied), "{line}");
    let state = std::fs::read_to_string(test.path().join(".agentbuilder/state.toml")).expect("the state was saved");
    assert_eq!(
        state.matches("\n[instances.slow.org-").count(),
        applied,
        "the state holds exactly what was applied\n{state}"
    );
    test.args(["deploy", "quality-checker", "--yes"])
        .run()
        .code(0)
        .stderr_contains(&format!("Deployed {} changes", 12 - applied))
        .done();
}

#[test]
fn the_plan_names_a_downgrade() {
    let orgs = "[erp.instances.local]\nurl = \"local\"\norgs = [\"acme\"]\n";
    let original = std::fs::read_to_string(repo().join("skills/brief-creator.md")).expect("skill");
    let newer = original.replacen("version: 1.0.0", "version: 1.1.0", 1);
    let run = Test::example().file(".agentbuilder.toml", orgs).skill("brief-creator.md", &newer);
    let run = run.args(["deploy", "brief-creator", "--yes"]).run().code(0);
    let run = run.test.skill("brief-creator.md", &original).args(["deploy", "brief-creator", "--plan"]).run().code(0);
    run.stdout_contains("downgrade 1.1.0 → 1.0.0  acme").done();
}

#[test]
fn new_skill_asks_again_at_once_with_the_real_reason() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` (util-linux) is not installed; the terminal test is skipped");
        return;
    }
    let test = Test::new();
    // Five defaults, a bad permission, then a good one, answered on a pseudo-terminal.
    let answers =
        "for a in '' '' '' '' '' brief:write brief:create; do sleep 0.4; printf '%s\\n' \"$a\"; done; sleep 1";
    let command = format!("({answers}) | script -qec '{} new skill demo-one' /dev/null", env!("CARGO_BIN_EXE_agentb"));
    let out = std::process::Command::new("bash")
        .args(["-c", &command])
        .current_dir(test.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("unknown action `write` in permission `brief:write`"), "{shown}");
    assert!(shown.contains("the actions are read, create, update, delete, execute"), "{shown}");
    let file = test.read("skills/demo-one.md");
    assert!(file.contains("permissions:\n  - brief:create\n"), "{file}");
}

#[test]
fn declining_a_deploy_on_a_terminal_says_nothing_was_changed() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` (util-linux) is not installed; the terminal test is skipped");
        return;
    }
    let test = Test::example();
    let command =
        format!("(sleep 1; printf 'n\\n'; sleep 1) | script -qec '{} deploy' /dev/null", env!("CARGO_BIN_EXE_agentb"));
    let out = std::process::Command::new("bash")
        .args(["-c", &command])
        .current_dir(test.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("apply 32 changes to instance `local`?"), "{shown}");
    assert!(shown.contains("Cancelled: nothing was changed"), "{shown}");
    assert!(!test.path().join(".agentbuilder/state.toml").exists());
}

#[test]
fn commands_that_create_things_report_them_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new().args(["init", dir.path().to_str().unwrap(), "--format", "json"]).run().code(0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("init prints JSON");
    assert_eq!(report["config"], dir.path().join(".agentbuilder.toml").display().to_string());
    assert_eq!(report["folders"].as_array().map(Vec::len), Some(3));

    let out = Test::example()
        .args([
            "new",
            "skill",
            "brief-writer",
            "--category",
            "briefs",
            "--description",
            "Writes briefs.",
            "--format",
            "json",
            "--trigger",
            "manual_invoke",
            "--output",
            "summary:string",
            "--permission",
            "brief:create",
            "--no-input",
        ])
        .run()
        .code(0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("new skill prints JSON");
    assert_eq!(report, serde_json::json!({"kind": "skill", "id": "brief-writer", "path": "skills/brief-writer.md"}));

    let out = Test::example().args(["erp", "org", "add", "acme", "newco", "--format", "json"]).run().code(0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("org add prints JSON");
    assert_eq!(report["added"], serde_json::json!(["newco"]));
    assert_eq!(report["existing"], serde_json::json!(["acme"]));
}
