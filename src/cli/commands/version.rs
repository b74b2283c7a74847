//! `agentb version` (skills, versions, where they are deployed), `version bump` (rewrites only
//! the version scalar) and `version check` (CI: is every changed skill's bump big enough?).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context as _;

use super::diff::{baseline, check, current, never_deployed, write_changes};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{BumpLevel, Format, VersionArgs, VersionBumpArgs, VersionCheckArgs, VersionCommand};
use crate::compile::diff::{self, Class};
use crate::deploy::state::{State, Strategy};
use crate::skill::project;
use crate::skill::{bump, source};

pub fn run(ctx: &Ctx, args: &VersionArgs) -> anyhow::Result<ExitStatus> {
    match &args.command {
        None => list(ctx, args),
        Some(VersionCommand::Bump(a)) => bump_cmd(ctx, a),
        Some(VersionCommand::Check(a)) => check_cmd(ctx, a),
    }
}

fn list(ctx: &Ctx, args: &VersionArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let (instance, _) = crate::erp::instance_config(project, args.instance.instance.as_deref())?;
    let state = State::load(&project.state_dir().join("state.toml"))?;
    let orgs = state.instances.get(instance);
    let mut ids: Vec<String> = ws.summaries.iter().map(|s| s.id.clone()).collect();
    for skills in orgs.into_iter().flat_map(BTreeMap::values) {
        ids.extend(skills.keys().cloned());
    }
    ids.sort();
    ids.dedup();
    let mut rows = Vec::new();
    for id in &ids {
        // A file with lint errors may not hold a version at all (its summary then says 0.0.0).
        let source = ws
            .summary(id)
            .map(|s| if ws.file_has_errors(&s.path) { "(errors)".to_owned() } else { s.version.to_string() });
        // version (+ marker) → orgs
        let mut deployed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (org, skills) in orgs.into_iter().flatten() {
            if let Some(d) = skills.get(id) {
                let mut key = d.version.to_string();
                if d.strategy == Strategy::Pinned {
                    key.push_str(" pinned");
                }
                if d.canary.is_some() {
                    key.push_str(" canary");
                }
                deployed.entry(key).or_default().push(org.clone());
            }
        }
        rows.push((id.clone(), source, deployed));
    }
    if format == Format::Json {
        let skills: Vec<serde_json::Value> = rows
            .iter()
            .map(|(id, source, deployed)| {
                let errors = source.as_deref() == Some("(errors)");
                let version = source.as_deref().filter(|_| !errors);
                serde_json::json!({"skill": id, "version": version, "lint_errors": errors, "deployed": deployed})
            })
            .collect();
        ctx.printer.json(&serde_json::json!({"instance": instance, "skills": skills}));
        return Ok(ExitStatus::Success);
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(5).max(5);
    let mut out = format!("{:<width$}  {:<9}  DEPLOYED TO `{instance}`\n", "SKILL", "VERSION");
    for (id, source, deployed) in &rows {
        let where_ = if deployed.is_empty() {
            "-".to_owned()
        } else {
            deployed
                .iter()
                .map(|(v, orgs)| format!("{v} on {}", super::deploy::abbreviate(orgs, 6)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let source = source.as_deref().unwrap_or("(removed)");
        let _ = writeln!(out, "{id:<width$}  {source:<9}  {where_}");
    }
    ctx.printer.out(out);
    Ok(ExitStatus::Success)
}

fn bump_cmd(ctx: &Ctx, args: &VersionBumpArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let skill = ws.skill(&args.skill).ok_or_else(|| super::deploy::unknown_skill(&args.skill, &ws))?;
    let from = skill.version.value.clone();
    let to = match args.level {
        BumpLevel::Major => bump::next(&from, Class::Major),
        BumpLevel::Minor => bump::next(&from, Class::Minor),
        BumpLevel::Patch => bump::next(&from, Class::Patch),
        BumpLevel::Auto => {
            let new = current(project, &ws, &args.skill)?.context("the skill has no artifact")?;
            let Some((old, label)) =
                baseline(project, &ws, &args.skill, &args.against, None, args.instance.instance.as_deref())?
            else {
                return Err(never_deployed(&args.skill, project, args.instance.instance.as_deref())
                    .with_hint("bump by hand: `agentb version bump SKILL major|minor|patch`")
                    .into());
            };
            let changes = diff::diff(&old, Some(&new));
            let required = diff::required_class(&changes);
            let mut out = format!("{} {} ({label}) → working tree\n", args.skill, old.version);
            write_changes(ctx, &mut out, &changes);
            ctx.printer.out(out);
            if check(&old, &new, &changes).is_ok() {
                ctx.printer
                    .status("Unchanged", format!("{} {from}: the version already covers the changes", args.skill));
                return Ok(ExitStatus::Success);
            }
            let class = required.unwrap_or(Class::Patch);
            bump::next(&old.version, class)
        }
    };
    let abs = ws.paths.get(&skill.path).cloned().unwrap_or_else(|| project.root.join(&skill.path));
    let src =
        source::read(&abs).map_err(|e| UserError::usage(format!("cannot read `{}`: {e:?}", skill.path.display())))?;
    // A version that does not parse (or is missing) is a lint error: say that, not "changed".
    if bump::rewrite(&src.text, skill.version.span.clone(), &from, &from).is_none() && ws.file_has_errors(&skill.path) {
        return Err(UserError::usage(format!(
            "`{}` has lint errors and no version agentb can bump",
            skill.path.display()
        ))
        .with_hint(format!("`agentb lint {}` shows them; write a full version such as `1.0.0`", skill.path.display()))
        .into());
    }
    let text = bump::rewrite(&src.text, skill.version.span.clone(), &from, &to).ok_or_else(|| {
        UserError::usage(format!("`{}` changed while agentb read it; run the command again", skill.path.display()))
    })?;
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if src.had_bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    crate::fs::write_atomic(&abs, &bytes)?;
    ctx.printer.status("Bumped", format!("{} {from} → {to} ({})", args.skill, skill.path.display()));
    Ok(ExitStatus::Success)
}

fn check_cmd(ctx: &Ctx, args: &VersionCheckArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let ids: Vec<String> = if args.skills.is_empty() {
        ws.summaries.iter().map(|s| s.id.clone()).collect()
    } else {
        for id in &args.skills {
            if ws.summary(id).is_none() {
                return Err(super::deploy::unknown_skill(id, &ws).into());
            }
        }
        args.skills.clone()
    };
    super::diff::verify_against(project, &args.against)?;
    let mut results = Vec::new();
    let mut failed = 0;
    for id in &ids {
        let Some(new) = current(project, &ws, id)? else { continue };
        let old = match baseline(project, &ws, id, &args.against, None, args.instance.instance.as_deref()) {
            Ok(old) => old,
            // A skill that is new at a git revision has nothing to be checked against.
            Err(_) if args.against != "deployed" => None,
            Err(e) => return Err(e),
        };
        let Some((old, label)) = old else {
            results.push(serde_json::json!({"skill": id, "version": new.version.to_string(), "status": "new"}));
            continue;
        };
        let changes = diff::diff(&old, Some(&new));
        let verdict = check(&old, &new, &changes);
        if old.content_hash == new.content_hash {
            results.push(serde_json::json!({"skill": id, "version": new.version.to_string(), "status": "unchanged"}));
            continue;
        }
        if verdict.is_err() {
            failed += 1;
        }
        results.push(serde_json::json!({
            "skill": id,
            "from": old.version.to_string(),
            "against": label,
            "version": new.version.to_string(),
            "required": diff::required_class(&changes),
            "changes": changes,
            "status": if verdict.is_ok() { "ok" } else { "insufficient" },
            "problem": verdict.err(),
        }));
    }
    if format == Format::Json {
        ctx.printer.json(&serde_json::json!({"ok": failed == 0, "skills": results}));
    } else {
        let mut out = String::new();
        for r in &results {
            let id = r["skill"].as_str().unwrap_or_default();
            match r["status"].as_str() {
                Some("new") => {
                    let _ = writeln!(
                        out,
                        "{id} {}: new (nothing to compare with)",
                        r["version"].as_str().unwrap_or_default()
                    );
                }
                Some("unchanged") => {
                    let _ = writeln!(out, "{id} {}: unchanged", r["version"].as_str().unwrap_or_default());
                }
                Some("ok") => {
                    let _ = writeln!(
                        out,
                        "{id} {} → {}: ok",
                        r["from"].as_str().unwrap_or_default(),
                        r["version"].as_str().unwrap_or_default()
                    );
                }
                _ => {
                    let red = ctx.printer.stdout_style().red().bold();
                    let _ = writeln!(
                        out,
                        "{id} {} ({}) → {}: {} {}",
                        r["from"].as_str().unwrap_or_default(),
                        r["against"].as_str().unwrap_or_default(),
                        r["version"].as_str().unwrap_or_default(),
                        red.apply_to("insufficient:"),
                        r["problem"].as_str().unwrap_or_default()
                    );
                    let changes: Vec<diff::Change> = serde_json::from_value(r["changes"].clone()).unwrap_or_default();
                    write_changes(ctx, &mut out, &changes);
                }
            }
        }
        ctx.printer.out(out);
        if failed > 0 {
            ctx.printer.hint("`agentb version bump SKILL auto` picks the bump the changes require");
        }
    }
    Ok(crate::cli::command_error::status_from_problems(failed > 0))
}
