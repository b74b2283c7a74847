//! `agentb completions SHELL`, and the hidden `generate-docs` that writes `completions/` and
//! `man/` (checked in; a test fails when they are stale).

use std::path::Path;

use anyhow::Context as _;
use clap_complete::Shell;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::{CompletionsArgs, GenerateDocsArgs, help};

/// The date the man pages carry: the release date of this version (change it with the
/// version in `Cargo.toml`). Fixed, so `generate-docs` writes the same bytes every day.
pub const RELEASE_DATE: &str = "2026-12-01";

#[allow(clippy::unnecessary_wraps, reason = "every command has the same signature")]
pub fn run(ctx: &Ctx, args: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    ctx.printer.out(String::from_utf8_lossy(&completion(args.shell)));
    Ok(ExitStatus::Success)
}

/// Returns the completion script of a shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut help::command(), "agentb", &mut out);
    out
}

/// The shells and their file names in `completions/`.
pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "agentb.bash"),
    (Shell::Zsh, "_agentb"),
    (Shell::Fish, "agentb.fish"),
    (Shell::Elvish, "agentb.elv"),
    (Shell::PowerShell, "_agentb.ps1"),
];

/// Returns every man page as (file name, contents): one per command and subcommand.
pub fn man_pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = help::command();
    cmd.build();
    let mut pages = Vec::new();
    collect_pages(&cmd, "agentb", &mut pages)?;
    Ok(pages)
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    if cmd.is_hide_set() {
        return Ok(());
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_owned()))
        .title(name.to_uppercase())
        .date(RELEASE_DATE)
        .source(format!("agentb {}", env!("CARGO_PKG_VERSION")))
        .manual("agentb manual")
        .render(&mut out)?;
    pages.push((format!("{name}.1"), tidy_roff(&String::from_utf8_lossy(&out)).into_bytes()));
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// Tidies clap_mangen's roff for `mandoc -T lint`: no trailing white space, one paragraph
/// break where it writes a line break, a blank line and another, and text lines wrapped at 80
/// bytes (at a space, never before a `.` or `'`, which would start a request).
fn tidy_roff(roff: &str) -> String {
    let roff = roff.replace(".br\n\n.br\n", ".sp\n");
    let mut out = String::with_capacity(roff.len());
    for line in roff.lines() {
        let line = line.trim_end();
        if line.starts_with('.') || line.starts_with('\'') || line.len() <= 80 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ') {
            let fits = current.len() + 1 + word.len() <= 80;
            if !current.is_empty() && !fits && !word.starts_with(['.', '\'']) && !word.is_empty() {
                out.push_str(&current);
                out.push('\n');
                current.clear();
            } else if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

pub fn generate_docs(ctx: &Ctx, args: &GenerateDocsArgs) -> anyhow::Result<ExitStatus> {
    let root = ctx.settings.cwd.join(&args.out);
    write_all(&root)?;
    ctx.printer.status("Generated", format!("completions/ and man/ in `{}`", args.out.display()));
    Ok(ExitStatus::Success)
}

/// Writes `completions/` and `man/` under `root`, replacing stale man pages.
pub fn write_all(root: &Path) -> anyhow::Result<()> {
    let completions = root.join("completions");
    let man = root.join("man");
    std::fs::create_dir_all(&completions).with_context(|| format!("failed to create `{}`", completions.display()))?;
    for (shell, file) in SHELLS {
        std::fs::write(completions.join(file), completion(shell))?;
    }
    if man.exists() {
        for entry in std::fs::read_dir(&man)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "1") {
                std::fs::remove_file(path)?;
            }
        }
    }
    std::fs::create_dir_all(&man)?;
    for (file, bytes) in man_pages()? {
        std::fs::write(man.join(file), bytes)?;
    }
    Ok(())
}
