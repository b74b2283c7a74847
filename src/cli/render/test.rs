//! Human output of `agentb test`: one line per case, each failed assertion with its path,
//! expected and actual value, and a closing summary line.

use std::fmt::Write as _;

use crate::cli::commands::Ctx;
use crate::testing::Plan;
use crate::testing::report::{CaseStatus, Report};
use crate::text::LineIndex;

/// Prints the diagnostics of malformed test files, as `file:line:col` with the line's text.
pub fn diagnostics(ctx: &Ctx, plan: &Plan) {
    let red = ctx.printer.stderr_style().red().bold();
    let cyan = ctx.printer.stderr_style().cyan().bold();
    for d in &plan.diagnostics {
        let level = match d.level {
            crate::lint::Level::Error => red.apply_to(format!("error[{}]", d.rule.code)),
            crate::lint::Level::Warning => {
                ctx.printer.stderr_style().yellow().bold().apply_to(format!("warning[{}]", d.rule.code))
            }
        };
        let mut out = format!("{level}: {}\n", d.message);
        let text = plan.sources.iter().find(|(p, _)| *p == d.file).map(|(_, t)| t.as_str());
        match (text, &d.span) {
            (Some(text), Some(span)) => {
                let index = LineIndex::new(text);
                let (line, col) = index.line_col(text, span.start);
                let _ = writeln!(out, "  --> {}:{line}:{col}", d.file.display());
                let start = index.line_start(line - 1);
                let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                let _ = writeln!(out, "   | {}", text[start..end].trim_end());
            }
            _ => {
                let _ = writeln!(out, "  --> {}", d.file.display());
            }
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "   = {} {help}", cyan.apply_to("help:"));
        }
        ctx.printer.err_raw(out);
    }
    let errors = plan.diagnostics.iter().filter(|d| d.level == crate::lint::Level::Error).count();
    ctx.printer.err_line(format!(
        "{} {} in the test files; no case was run",
        red.apply_to("error:"),
        if errors == 1 { "1 problem".to_owned() } else { format!("{errors} problems") }
    ));
}

/// Prints one line per case and the details of each that did not pass.
pub fn cases(ctx: &Ctx, report: &Report) {
    let style = ctx.printer.stdout_style();
    let mut out = String::new();
    for suite in &report.suites {
        for case in &suite.cases {
            let (mark, word) = match case.status {
                CaseStatus::Passed => (style.clone().green().apply_to("ok"), ""),
                CaseStatus::Failed => (style.clone().red().bold().apply_to("FAILED"), ""),
                CaseStatus::Error => (style.clone().red().bold().apply_to("ERROR"), ""),
            };
            let _ = writeln!(out, "test {} › {} ... {mark}{word} ({} ms)", suite.skill, case.name, case.duration_ms);
            for f in &case.failures {
                for (n, line) in crate::testing::report::describe(f).lines().enumerate() {
                    let _ = writeln!(out, "    {}{line}", if n == 0 { "" } else { "  " });
                }
            }
            if let Some(error) = &case.error {
                let _ = writeln!(out, "    {error}");
            }
            if let Some(hint) = &case.hint {
                let _ = writeln!(out, "    {} {hint}", style.clone().cyan().bold().apply_to("hint:"));
            }
        }
    }
    ctx.printer.out(out);
}

/// Prints the closing line: `test result: ok. 9 passed; 0 failed; 0 errors; finished in 0.21s`.
pub fn summary(ctx: &Ctx, report: &Report, secs: f64, to_stderr: bool) {
    let s = report.summary;
    let word = if report.passed() { "ok" } else { "FAILED" };
    let line = format!(
        "test result: {word}. {} passed; {} failed; {} error{}; finished in {secs:.2}s\n",
        s.passed,
        s.failed,
        s.errors,
        if s.errors == 1 { "" } else { "s" }
    );
    if to_stderr { ctx.printer.err_raw(line) } else { ctx.printer.out(line) }
}
