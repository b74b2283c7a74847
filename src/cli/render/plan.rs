//! Plans, the summary of a carried-out plan, and its failures, for people.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::deploy::plan::{Change, Item, Note, Plan, Subject};
use crate::deploy::session::{ApplyReport, Failure, abbreviate, plural};

/// Returns how an item's change reads in a plan.
fn describe(item: &Item) -> String {
    let to = item.to_version();
    let persona = matches!(item.subject, Subject::Persona(_));
    let mut text = match &item.change {
        Change::Create if persona => "create".to_owned(),
        Change::Update { .. } | Change::Downgrade { .. } | Change::Reenable { .. } if persona => "update".to_owned(),
        Change::Unchanged if persona => "unchanged".to_owned(),
        Change::Create => format!("create {to}"),
        Change::Update { from } if *from == to => format!("update {to} (content changed, same version)"),
        Change::Update { from } => format!("update {from} → {to}"),
        Change::Downgrade { from } => format!("downgrade {from} → {to}"),
        Change::Reenable { from } if *from == to => format!("re-enable {to} (disabled by hand in the ERP)"),
        Change::Reenable { from } => format!("re-enable and update {from} → {to} (disabled by hand in the ERP)"),
        Change::Unchanged => format!("unchanged {to}"),
        Change::UnchangedPinned => format!("unchanged {to} (pinned)"),
        Change::Record => format!("record {to} (already in the ERP)"),
        Change::SkippedPinned { pinned } => format!("skip: pinned at {pinned}"),
        Change::SkippedCanary => "skip: outside the canary".to_owned(),
        Change::Remove => "remove (the canary created it)".to_owned(),
    };
    if item.state_only_change() {
        text.push_str(" (state only)");
    }
    text
}

/// One line of a printed plan: the change and the orgs it applies to.
type PlanLine = (String, Vec<String>);

/// Prints the notes found while planning (stderr).
pub fn notes(ctx: &Ctx, notes: &[Note]) {
    for note in notes {
        ctx.printer.note(match note {
            Note::SaltNotKept { skill } => format!(
                "`{skill}` was never deployed: its canary salt is chosen by the deploy itself, so the orgs it picks may differ from this plan"
            ),
            Note::NotDeployed { skill, org } => format!("`{skill}` is not deployed to {org}; skipped"),
            Note::NothingToRollBack { orgs } => format!(
                "nothing to roll back to on {}: only one version was ever deployed there",
                abbreviate(orgs, 8)
            ),
        });
    }
}

/// Prints a plan: per skill or persona, each kind of change with the orgs it applies to.
pub fn print(ctx: &Ctx, plan: &Plan) {
    let bold = ctx.printer.stdout_style().bold();
    let mut out = format!("{}\n", bold.apply_to(format!("Plan: {}", plan.title)));
    // (kind, name) → description → orgs, in first-seen order.
    let mut groups: Vec<((&str, &str), Vec<PlanLine>)> = Vec::new();
    for item in &plan.items {
        let key = (item.kind(), item.name());
        let pos = groups.iter().position(|(k, _)| *k == key).unwrap_or_else(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        let text = describe(item);
        let lines = &mut groups[pos].1;
        match lines.iter_mut().find(|(t, _)| *t == text) {
            Some((_, orgs)) => orgs.push(item.org.clone()),
            None => lines.push((text, vec![item.org.clone()])),
        }
    }
    for ((kind, name), lines) in &groups {
        let label = if *kind == "persona" { format!("persona {name}") } else { (*name).to_owned() };
        let _ = writeln!(out, "  {}", bold.apply_to(label));
        let writes = plan.items.iter().any(|i| i.name() == *name && i.kind() == *kind && i.change.writes());
        if let Some(selected) = plan.canary.get(*name).filter(|_| writes) {
            let _ = writeln!(
                out,
                "    canary: {} of {} orgs ({})",
                selected.len(),
                plan.org_count,
                abbreviate(selected, 10)
            );
        }
        let width = lines.iter().map(|(t, _)| t.chars().count()).max().unwrap_or(0);
        for (text, orgs) in lines {
            let style = ctx.printer.stdout_style();
            let style = if text.starts_with("create") {
                style.green()
            } else if ["update", "remove", "downgrade", "re-enable"].iter().any(|w| text.starts_with(w)) {
                style.yellow()
            } else {
                style.dim()
            };
            let pad = width - text.chars().count();
            let _ = writeln!(out, "    {}{}  {}", style.apply_to(text), " ".repeat(pad), abbreviate(orgs, 10));
        }
    }
    for (org, reason) in &plan.unreadable {
        let _ = writeln!(out, "  {org}: cannot read its records: {reason}");
    }
    let _ = writeln!(out, "{}", plan.counts());
    ctx.printer.out(out);
}

/// Prints the summary of a carried-out plan of `writes` writes (and its failures); returns the
/// exit status: 3 when anything failed.
pub fn summary(ctx: &Ctx, instance: &str, writes: usize, verb: &str, report: &ApplyReport) -> ExitStatus {
    if writes == 0 && report.failures.is_empty() {
        let mut summary = format!("instance `{instance}`: {} unchanged", report.unchanged);
        if report.recorded > 0 {
            let _ = write!(summary, ", {} recorded in the state", report.recorded);
        }
        ctx.printer.status("Up to date", summary);
        return ExitStatus::Success;
    }
    let mut summary = format!(
        "{} to {} of `{instance}` in {:.2}s",
        plural(report.written, "change"),
        plural(report.written_orgs, "org"),
        report.seconds
    );
    if report.recorded > 0 {
        let _ = write!(summary, ", {} recorded in the state only", report.recorded);
    }
    if report.unchanged > 0 {
        let _ = write!(summary, ", {} unchanged", report.unchanged);
    }
    ctx.printer.status(verb, summary);
    if report.failures.is_empty() {
        return ExitStatus::Success;
    }
    failures(ctx, &report.failures);
    ExitStatus::Remote
}

/// Prints failed items and the hint to re-run.
pub fn failures(ctx: &Ctx, failures: &[Failure]) {
    let red = ctx.printer.stderr_style().red().bold();
    let orgs: BTreeSet<&str> = failures.iter().map(|f| f.org.as_str()).collect();
    ctx.printer.err_line(format_args!(
        "{} {} failed in {}:",
        red.apply_to("error:"),
        plural(failures.len(), "change"),
        plural(orgs.len(), "org")
    ));
    for f in failures {
        ctx.printer.err_line(format_args!("  {} / {}: {}", f.org, f.name, f.error));
    }
    ctx.printer.hint("the state records only what succeeded; run the same command again to finish the job");
}

/// Prints that a rollout was interrupted (Ctrl-C) and how much of it was applied (SPEC §9).
pub fn interrupted(ctx: &Ctx, report: &ApplyReport) {
    let red = ctx.printer.stderr_style().red().bold();
    ctx.printer.err_line(format_args!(
        "{} {} of {} changes applied; run the same command again to finish",
        red.apply_to("interrupted:"),
        report.written,
        report.planned
    ));
    if !report.failures.is_empty() {
        failures(ctx, &report.failures);
    }
}

/// Prints that a plan is incomplete because orgs of the instance at `url` could not be read:
/// nothing was applied.
pub fn incomplete(ctx: &Ctx, instance: &str, url: &str, unreadable: usize) {
    // Nothing was applied, so "failed changes" and "re-run to finish" would mislead.
    let red = ctx.printer.stderr_style().red().bold();
    ctx.printer.err_line(format_args!(
        "{} the plan is incomplete: the records of {} of `{instance}` ({url}) could not be read",
        red.apply_to("error:"),
        plural(unreadable, "org")
    ));
    ctx.printer.hint(format!(
        "nothing was changed; check the instance (`agentb erp ping --instance {instance}`) and plan again"
    ));
}
