//! Interface changes and version checks, for people.

use std::fmt::Write as _;

use crate::cli::commands::Ctx;
use crate::compile::diff::{Change, Class};
use crate::versions::check::{CheckReport, SkillCheck, Status};

/// Writes the classified changes, one per line.
pub fn changes(ctx: &Ctx, out: &mut String, changes: &[Change]) {
    if changes.is_empty() {
        out.push_str("  no interface changes\n");
    }
    for c in changes {
        let style = ctx.printer.stdout_style();
        let style = match c.class {
            Class::Major => style.red().bold(),
            Class::Minor => style.yellow().bold(),
            Class::Patch => style.green(),
        };
        let _ = writeln!(out, "  {}  {}", style.apply_to(format!("{:<5}", c.class)), c.what);
    }
}

/// Returns a `version check` report as text.
pub fn check(ctx: &Ctx, report: &CheckReport) -> String {
    let mut out = String::new();
    for r in &report.skills {
        match r {
            SkillCheck::Plain { skill, version, status: Status::New } => {
                let _ = writeln!(out, "{skill} {version}: new (nothing to compare with)");
            }
            SkillCheck::Plain { skill, version, .. } => {
                let _ = writeln!(out, "{skill} {version}: unchanged");
            }
            SkillCheck::Compared { skill, from, version, status: Status::Ok, .. } => {
                let _ = writeln!(out, "{skill} {from} → {version}: ok");
            }
            SkillCheck::Compared { skill, from, against, version, changes: list, problem, .. } => {
                let red = ctx.printer.stdout_style().red().bold();
                let problem = problem.as_deref().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{skill} {from} ({against}) → {version}: {} {problem}",
                    red.apply_to("insufficient:")
                );
                changes(ctx, &mut out, list);
            }
        }
    }
    out
}
