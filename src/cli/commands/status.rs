//! `agentb status [--refresh]`: the matrix org × skill of what is deployed (version, pinned,
//! canary); `--refresh` reads the live records and reports drift.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::deploy::{Session, concurrency};
use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::{Format, StatusArgs};
use crate::deploy::drift::{self, Drift};
use crate::deploy::state::{Deployment, Strategy};
use crate::skill::model::Status;

/// Returns a deployment as a status cell: `1.1.0`, `1.0.0 pinned`, `1.1.0 canary`.
fn cell(d: &Deployment) -> String {
    let mut text = d.version.to_string();
    if d.strategy == Strategy::Pinned {
        text.push_str(" pinned");
    }
    if let Some(c) = &d.canary {
        let _ = write!(text, " canary {}", c.percent);
    }
    text
}

pub fn run(ctx: &Ctx, args: &StatusArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let session = Session::open(ctx, args.instance.instance.as_deref(), false)?;
    let name = session.instance.name.clone();
    let empty = BTreeMap::new();
    let orgs = session.state.instances.get(&name).unwrap_or(&empty);
    let skills: BTreeSet<&String> = orgs.values().flat_map(BTreeMap::keys).collect();

    let mut drifts: BTreeMap<String, BTreeMap<String, Drift>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    if args.refresh {
        let names: Vec<String> = orgs.keys().cloned().collect();
        let (live, failed) = session.read_live(ctx, &names, false, concurrency(project, None));
        unreadable = failed;
        // Whether each deployed artifact is active, by content hash (read once per release).
        let mut active: HashMap<String, bool> = HashMap::new();
        for (org, deployments) in orgs {
            let Some(l) = live.get(org) else { continue };
            let found = drift::org(deployments, l, |skill, d| {
                *active.entry(d.content_hash.clone()).or_insert_with(|| {
                    session
                        .store
                        .get(skill, &d.version, &d.content_hash)
                        .ok()
                        .flatten()
                        .is_none_or(|a| a.status == Status::Active)
                })
            });
            if !found.is_empty() {
                drifts.insert(org.clone(), found);
            }
        }
    }

    if format == Format::Json {
        let matrix: BTreeMap<&String, BTreeMap<&String, serde_json::Value>> = orgs
            .iter()
            .map(|(org, ds)| {
                let row = ds
                    .iter()
                    .map(|(skill, d)| {
                        (
                            skill,
                            serde_json::json!({
                                "version": d.version.to_string(),
                                "content_hash": d.content_hash,
                                "pinned": d.strategy == Strategy::Pinned,
                                "canary": d.canary.as_ref().map(|c| &c.percent),
                                "drift": drifts.get(org).and_then(|m| m.get(skill)),
                            }),
                        )
                    })
                    .collect();
                (org, row)
            })
            .collect();
        ctx.printer.json(&serde_json::json!({
            "instance": name,
            "orgs": matrix,
            "refreshed": args.refresh,
            "drift": drifts.values().map(BTreeMap::len).sum::<usize>(),
            "unreadable": unreadable.iter().map(|(o, r)| serde_json::json!({"org": o, "error": r})).collect::<Vec<_>>(),
        }));
    } else if orgs.is_empty() {
        ctx.printer.line(format_args!("nothing is deployed to instance `{name}` yet"));
    } else {
        let org_width = orgs.keys().map(String::len).max().unwrap_or(3).max(3);
        let widths: Vec<usize> = skills
            .iter()
            .map(|s| orgs.values().filter_map(|ds| ds.get(*s)).map(|d| cell(d).len()).max().unwrap_or(1).max(s.len()))
            .collect();
        let mut out = format!("instance `{name}`\n{:<org_width$}", "ORG");
        for (s, w) in skills.iter().zip(&widths) {
            let _ = write!(out, "  {s:<w$}");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        for (org, ds) in orgs {
            let _ = write!(out, "{org:<org_width$}");
            for (s, w) in skills.iter().zip(&widths) {
                let mut text = ds.get(*s).map_or_else(|| "-".to_owned(), cell);
                if drifts.get(org).is_some_and(|m| m.contains_key(*s)) {
                    text.push('!');
                }
                let _ = write!(out, "  {text:<w$}");
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
        }
        if args.refresh {
            if drifts.is_empty() && unreadable.is_empty() {
                out.push_str("no drift: every live record matches the state\n");
            }
            for (org, found) in &drifts {
                for (skill, d) in found {
                    let _ = writeln!(out, "drift: {org} / {skill}: {d}");
                }
            }
            for (org, reason) in &unreadable {
                let _ = writeln!(out, "unknown: {org}: cannot read its records: {reason}");
            }
        }
        ctx.printer.out(out);
        if !drifts.is_empty() {
            ctx.printer.hint("`agentb deploy` writes the deployed versions back; `agentb diff` shows what changed");
        }
    }
    if !unreadable.is_empty() {
        return Ok(ExitStatus::Remote);
    }
    Ok(crate::cli::command_error::status_from_problems(!drifts.is_empty()))
}
