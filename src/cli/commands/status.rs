//! `agentb status [--refresh]`: the matrix org × skill of what is deployed (version, pinned,
//! canary); `--refresh` reads the live records and reports drift ([`crate::deploy::ops::status`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::{Format, StatusArgs};
use crate::deploy::ops::status::{self, Cell, Options, StatusReport};

/// Returns a deployment as a status cell: `1.1.0`, `1.0.0 pinned`, `1.1.0 canary 25%`.
fn cell(d: &Cell) -> String {
    let mut text = d.version.clone();
    if d.pinned {
        text.push_str(" pinned");
    }
    if let Some(percent) = &d.canary {
        let _ = write!(text, " canary {percent}");
    }
    text
}

pub fn run(ctx: &Ctx, args: &StatusArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let session = release::open_session(ctx, args.instance.instance.as_deref(), false)?;
    let options = Options { refresh: args.refresh, concurrency: release::concurrency(ctx, None)? };
    let report = status::status(&session, options, &Bars::new(&ctx.printer, "Reading"))?;
    if format == Format::Json {
        ctx.printer.json(&report);
    } else if report.orgs.is_empty() {
        ctx.printer.line(format_args!("nothing is deployed to instance `{}` yet", report.instance));
    } else {
        ctx.printer.out(matrix(&report));
        if report.drift > 0 {
            ctx.printer.hint("`agentb deploy` writes the deployed versions back; `agentb diff` shows what changed");
        }
    }
    if !report.unreadable.is_empty() {
        return Ok(ExitStatus::Remote);
    }
    Ok(crate::cli::command_error::status_from_problems(report.drift > 0))
}

/// Returns the matrix, then (after a refresh) the drift found.
fn matrix(report: &StatusReport) -> String {
    let orgs = &report.orgs;
    let skills: BTreeSet<&String> = orgs.values().flat_map(|row| row.keys()).collect();
    let org_width = orgs.keys().map(String::len).max().unwrap_or(3).max(3);
    let widths: Vec<usize> = skills
        .iter()
        .map(|s| orgs.values().filter_map(|ds| ds.get(*s)).map(|d| cell(d).len()).max().unwrap_or(1).max(s.len()))
        .collect();
    let mut out = format!("instance `{}`\n{:<org_width$}", report.instance, "ORG");
    for (s, w) in skills.iter().zip(&widths) {
        let _ = write!(out, "  {s:<w$}");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    for (org, ds) in orgs {
        let _ = write!(out, "{org:<org_width$}");
        for (s, w) in skills.iter().zip(&widths) {
            let mut text = ds.get(*s).map_or_else(|| "-".to_owned(), cell);
            if ds.get(*s).is_some_and(|d| d.drift.is_some()) {
                text.push('!');
            }
            let _ = write!(out, "  {text:<w$}");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    if report.refreshed {
        if report.drift == 0 && report.unreadable.is_empty() {
            out.push_str("no drift: every live record matches the state\n");
        }
        for (org, row) in orgs {
            for (skill, d) in row {
                if let Some(drift) = &d.drift {
                    let _ = writeln!(out, "drift: {org} / {skill}: {drift}");
                }
            }
        }
        for u in &report.unreadable {
            let _ = writeln!(out, "unknown: {}: cannot read its records: {}", u.org, u.error);
        }
    }
    out
}
