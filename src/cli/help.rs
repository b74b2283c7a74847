//! What `--help` adds to the clap definitions of [`crate::cli::args`]: the examples that end
//! every command's help, and the report formats each command offers for `--format`.
//!
//! **Adding a command?** Give it a line in [`examples`] (a test walks every subcommand and
//! fails without one, and parses each example), and, when it prints anything but `human` and
//! `json`, a line in [`formats`]. [`command`] applies both to the clap command that parsing,
//! `--help`, the man pages and the completions all use.

use clap::builder::{PossibleValuesParser, StyledStr, TypedValueParser as _};
use clap::{Arg, CommandFactory as _, ValueEnum as _};

use crate::cli::args::{Cli, Format};

/// The heading of the flags every command accepts.
pub const GLOBAL_HEADING: &str = "Global options";

/// Returns the examples of a command, by its path (`"erp org list"`), one command line each.
pub fn examples(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "" => {
            &["agentb lint", "agentb test", "agentb deploy --canary 25% --yes", "agentb run brief-creator --org acme"]
        }
        "lint" => &["agentb lint", "agentb lint skills/brief-creator.md --fix", "agentb lint --format sarif"],
        "compile" => &["agentb compile", "agentb compile --check", "agentb compile brief-creator --out dist"],
        "explain" => &["agentb explain", "agentb explain AB017", "agentb explain unknown-key"],
        "init" => &["agentb init", "agentb init my-agents"],
        "new" => &["agentb new skill brief-writer", "agentb new persona account-manager"],
        "new skill" => &[
            "agentb new skill brief-writer",
            "agentb new skill brief-writer --category briefs --trigger brief_requested --input request:string! --output summary:string --permission brief:create",
        ],
        "new persona" => &["agentb new persona account-manager --name \"Account Manager\" --allow-skill brief-creator"],
        "erp" => &["agentb erp ping", "agentb erp org list", "agentb erp serve --insecure-dev"],
        "erp serve" => &[
            "agentb erp serve",
            "agentb erp serve --addr 127.0.0.1:0 --insecure-dev",
            "agentb erp serve --db erp.sqlite --create",
        ],
        "erp org" => &["agentb erp org add acme", "agentb erp org list"],
        "erp org add" => &["agentb erp org add acme", "agentb erp org add newco --name \"New Co\""],
        "erp org list" => &["agentb erp org list", "agentb erp org list --instance staging --format json"],
        "erp ping" => &["agentb erp ping", "agentb erp ping --instance staging --org acme"],
        "diff" => &[
            "agentb diff brief-creator",
            "agentb diff brief-creator --against 1.0.0",
            "agentb diff brief-creator --against origin/main --exit-code",
        ],
        "version" => &["agentb version", "agentb version bump brief-creator auto", "agentb version check"],
        "version bump" => &["agentb version bump brief-creator auto", "agentb version bump brief-creator minor"],
        "version check" => &["agentb version check", "agentb version check --against origin/main"],
        "deploy" => &[
            "agentb deploy --plan",
            "agentb deploy --yes",
            "agentb deploy brief-creator --canary 10% --yes",
            "agentb deploy --instance staging --plan --exit-code",
        ],
        "promote" => &["agentb promote brief-creator --yes"],
        "abort" => &["agentb abort brief-creator --yes"],
        "pin" => &["agentb pin brief-creator@1.0.0 --org acme --yes"],
        "unpin" => &["agentb unpin brief-creator --org acme --yes"],
        "rollback" => {
            &["agentb rollback brief-creator --yes", "agentb rollback brief-creator --to 1.0.0 --org acme --yes"]
        }
        "status" => &["agentb status", "agentb status --refresh", "agentb status --format json"],
        "history" => &["agentb history brief-creator", "agentb history brief-creator --org acme"],
        "run" => &[
            "agentb run brief-creator --org acme --input-file input.json",
            "agentb run brief-creator --org acme --source --dry-run",
            "agentb run brief-creator --org acme --input request_details=\"Spring campaign video\" --dry-run",
            "agentb run --resume s-0193 --message \"Use the spring budget\"",
        ],
        "test" => &[
            "agentb test",
            "agentb test brief-creator --format junit --out report.xml",
            "agentb test brief-creator --mode record",
        ],
        "proposals" => &["agentb proposals list --state pending", "agentb proposals approve p-0193"],
        "proposals list" => &["agentb proposals list", "agentb proposals list --session s-0193 --state pending"],
        "proposals show" => &["agentb proposals show p-0193"],
        "proposals approve" => &["agentb proposals approve p-0193"],
        "proposals reject" => &["agentb proposals reject p-0193"],
        "proposals undo" => &["agentb proposals undo p-0193"],
        "sessions" => &["agentb sessions list", "agentb sessions show s-0193"],
        "sessions list" => &["agentb sessions list", "agentb sessions list --format json"],
        "sessions show" => &["agentb sessions show s-0193"],
        "build" => &[
            "agentb build skill \"Summarize a client's open deals for the weekly call\"",
            "agentb build form \"Client intake: company, contact email, budget range\" --org acme",
            "agentb build workflow \"When a client request arrives, draft a brief\" --org acme --approve t2",
        ],
        "build skill" => &[
            "agentb build skill \"Summarize a client's open deals for the weekly call\"",
            "agentb build skill \"Draft a brief from a client request\" --id brief-drafter --rounds 5",
            "agentb build skill \"Tag new knowledge documents\" --yes --format json",
        ],
        "build form" => &[
            "agentb build form \"Client intake: company, contact email, budget range\" --org acme",
            "agentb build form \"Event RSVP\" --org acme --approve t2",
        ],
        "build workflow" => &[
            "agentb build workflow \"When a client request arrives, draft a brief\" --org acme",
            "agentb build workflow \"Draft a brief, then scan resources for it\" --org acme --approve t2",
        ],
        "refine" => &[
            "agentb refine brief-creator --feedback \"Ask for the budget when it is missing\"",
            "agentb refine brief-creator --from-invocations --org acme --since 7d",
            "agentb refine brief-creator --from-invocations --org acme --yes --format json",
        ],
        "import" => &[
            "agentb import ~/skills/pdf-tools",
            "agentb import ./vendor/anthropic-skills --force",
            "agentb import ./SKILL.md --format json",
        ],
        "export" => &[
            "agentb export brief-creator --format agent-skills --out dist/skills",
            "agentb export brief-creator quality-checker --out dist/skills --force",
            "agentb export brief-creator --out dist/skills --format json",
        ],
        "completions" => &["agentb completions bash > ~/.local/share/bash-completion/completions/agentb"],
        "generate-docs" => &["agentb generate-docs ."],
        _ => return None,
    })
}

/// Returns the report formats a command offers for `--format`, by its path: `human` and
/// `json` unless listed here. A command calls `ctx.format` with the same list.
pub fn formats(path: &str) -> &'static [Format] {
    match path {
        "lint" => &[Format::Human, Format::Json, Format::Sarif, Format::Github],
        "test" => &[Format::Human, Format::Json, Format::Junit],
        "export" => &[Format::AgentSkills, Format::Human, Format::Json],
        // These print no report.
        "erp serve" | "completions" | "generate-docs" => &[Format::Human],
        _ => &[Format::Human, Format::Json],
    }
}

/// Returns the command line's clap command: the derive's, with every command's examples and
/// `--format` values. Parsing, `--help`, man pages and completions all use it.
pub fn command() -> clap::Command {
    decorate(Cli::command(), "")
}

fn decorate(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(lines) = examples(path) {
        // A command's own text after the options (the builders' listing) stays, above them.
        let text = match cmd.get_after_help() {
            Some(own) => StyledStr::from(format!("{}\n\n{}", own.ansi(), examples_text(&cmd, lines).ansi())),
            None => examples_text(&cmd, lines),
        };
        cmd = cmd.after_help(text);
    }
    if !path.is_empty() {
        cmd = cmd.arg(format_arg(formats(path)));
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        cmd = cmd.mut_subcommand(&name, |sub| decorate(sub, &sub_path));
    }
    cmd
}

/// Returns the `Examples:` section, styled like clap's own headings.
fn examples_text(cmd: &clap::Command, lines: &[&str]) -> StyledStr {
    let header = cmd.get_styles().get_header();
    let mut text = format!("{header}Examples:{header:#}\n");
    for line in lines {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    StyledStr::from(text.trim_end().to_owned())
}

/// Returns the `--format` flag of a command that offers `formats`.
fn format_arg(formats: &'static [Format]) -> Arg {
    let values: Vec<_> = formats.iter().filter_map(Format::to_possible_value).collect();
    let parser = PossibleValuesParser::new(values).map(|name: String| {
        Format::value_variants()
            .iter()
            .copied()
            .find(|f| f.to_possible_value().is_some_and(|v| v.matches(&name, false)))
            .unwrap_or(Format::Human)
    });
    Arg::new("format")
        .long("format")
        .global(true)
        .value_name("FORMAT")
        .help("Output format of the command's report")
        .help_heading(GLOBAL_HEADING)
        .value_parser(parser)
}

/// Returns the path (`"erp org list"`) of the command `matches` selected.
pub fn selected_path(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        names.push(name);
        current = sub;
    }
    names.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits an example line like a shell would (quotes, no expansion); stops at a redirection.
    fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        let mut in_word = false;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (None, ' ') => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, '>' | '|') => break,
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        if in_word {
            words.push(word);
        }
        words
    }

    fn walk(cmd: &clap::Command, path: &str, paths: &mut Vec<String>) {
        paths.push(path.to_owned());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_path =
                if path.is_empty() { sub.get_name().to_owned() } else { format!("{path} {}", sub.get_name()) };
            walk(sub, &sub_path, paths);
        }
    }

    #[test]
    fn every_command_has_examples_that_parse() {
        let mut paths = Vec::new();
        walk(&command(), "", &mut paths);
        assert!(paths.len() > 30, "{paths:?}");
        for path in paths {
            let lines = examples(&path).unwrap_or_else(|| {
                panic!("`agentb {path}` has no examples: add them to `examples` in src/cli/help.rs")
            });
            for line in lines {
                let words = words(line);
                assert_eq!(words[0], "agentb", "{line}");
                assert!(
                    line.starts_with(format!("agentb {path}").trim_end()),
                    "an example of `{path}` runs another command: {line}"
                );
                if let Err(e) = command().try_get_matches_from(&words) {
                    panic!("the example `{line}` of `agentb {path}` does not parse:\n{e}");
                }
            }
        }
    }

    #[test]
    fn format_offers_only_what_the_command_supports() {
        let cli = command();
        let lint = cli.clone().try_get_matches_from(["agentb", "lint", "--format", "sarif"]).unwrap();
        assert_eq!(selected_path(&lint), "lint");
        let err = cli.clone().try_get_matches_from(["agentb", "status", "--format", "sarif"]).unwrap_err();
        assert!(err.to_string().contains("[possible values: human, json]"), "{err}");
        assert!(cli.clone().try_get_matches_from(["agentb", "test", "--format", "junit"]).is_ok());
        assert!(cli.clone().try_get_matches_from(["agentb", "init", "--format", "json"]).is_ok());
        let err = cli.try_get_matches_from(["agentb", "erp", "serve", "--format", "json"]).unwrap_err();
        assert!(err.to_string().contains("[possible values: human]"), "{err}");
    }

    #[test]
    fn example_words_split_like_a_shell() {
        assert_eq!(words("agentb run x --input a=\"b c\" > out"), ["agentb", "run", "x", "--input", "a=b c"]);
    }
}
