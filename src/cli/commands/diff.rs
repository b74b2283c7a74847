//! `agentb diff`: the interface changes of a skill with their class, then a unified diff of its
//! prompt, against a deployed version, a version kept in the release store, or a git revision.
//! Also resolves the baselines `agentb version bump auto` and `version check` compare with.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{DiffArgs, Format};
use crate::compile::artifact;
use crate::compile::diff::{self, Change, Class};
use crate::compile::{self, Artifact};
use crate::deploy::release_store::ReleaseStore;
use crate::deploy::state::State;
use crate::skill::parse::{self, ParseContext};
use crate::skill::project::{self, Workspace};
use crate::skill::source::SourceFile;
use crate::workspace::Project;

pub fn run(ctx: &Ctx, args: &DiffArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let new = current(project, &ws, &args.skill)?;
    let old =
        baseline(project, &ws, &args.skill, &args.against, args.org.as_deref(), args.instance.instance.as_deref())?;
    let (old, old_label) = match old {
        Some(side) => side,
        None if new.is_none() => return Err(super::deploy::unknown_skill(&args.skill, &ws).into()),
        None => {
            return Err(never_deployed(&args.skill, project, args.instance.instance.as_deref()).into());
        }
    };
    let changes = diff::diff(&old, new.as_ref());
    let empty = String::new();
    let new_prompt = new.as_ref().map_or(&empty, |n| &n.system_prompt);
    let prompt_diff = unified(&old.system_prompt, new_prompt, &old, new.as_ref());
    let differs = new.as_ref().is_none_or(|n| n.content_hash != old.content_hash);
    let verdict = new.as_ref().map(|n| check(&old, n, &changes));
    if format == Format::Json {
        ctx.printer.json(&serde_json::json!({
            "skill": args.skill,
            "from": {"version": old.version.to_string(), "content_hash": old.content_hash, "source": old_label},
            "to": new.as_ref().map(|n| serde_json::json!({"version": n.version.to_string(), "content_hash": n.content_hash, "source": "working tree"})),
            "changes": changes,
            "required": diff::required_class(&changes),
            "version_ok": verdict.as_ref().map(Result::is_ok),
            "problem": verdict.as_ref().and_then(|v| v.as_ref().err()),
            "prompt_diff": prompt_diff,
            "differs": differs,
        }));
    } else {
        let mut out = String::new();
        let bold = ctx.printer.stdout_style().bold();
        let to = new
            .as_ref()
            .map_or_else(|| "(removed from the working tree)".to_owned(), |n| format!("{} (working tree)", n.version));
        let _ = writeln!(out, "{}", bold.apply_to(format!("{} {} ({old_label}) → {to}", args.skill, old.version)));
        write_changes(ctx, &mut out, &changes);
        if let (Some(new), Some(verdict)) = (&new, &verdict) {
            match (diff::required_class(&changes), verdict) {
                (None, Ok(())) if !differs => out.push_str("  no changes\n"),
                (_, Ok(())) => {
                    let _ = writeln!(out, "  version {} → {}: sufficient", old.version, new.version);
                }
                (_, Err(problem)) => {
                    let red = ctx.printer.stdout_style().red().bold();
                    let _ = writeln!(out, "  {} {problem}", red.apply_to("version:"));
                }
            }
        }
        if !prompt_diff.is_empty() {
            out.push('\n');
            for line in prompt_diff.lines() {
                let style = ctx.printer.stdout_style();
                let style = if line.starts_with("+++") || line.starts_with("---") {
                    style.bold()
                } else if line.starts_with('+') {
                    style.green()
                } else if line.starts_with('-') {
                    style.red()
                } else if line.starts_with("@@") {
                    style.cyan()
                } else {
                    style
                };
                let _ = writeln!(out, "{}", style.apply_to(line));
            }
        }
        ctx.printer.out(out);
    }
    Ok(crate::cli::command_error::status_from_problems(args.exit_code && differs))
}

/// Writes the classified changes, one per line.
pub(super) fn write_changes(ctx: &Ctx, out: &mut String, changes: &[Change]) {
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

/// Returns the unified diff of two prompts, empty when they are equal.
fn unified(old: &str, new: &str, a: &Artifact, b: Option<&Artifact>) -> String {
    if old == new {
        return String::new();
    }
    let from = format!("{}@{} system prompt", a.id, a.version);
    let to = b.map_or_else(|| "/dev/null".to_owned(), |b| format!("{}@{} system prompt", b.id, b.version));
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&from, &to).to_string()
}

/// Checks a version move against the changes: `Err` says what bump they need.
pub(super) fn check(old: &Artifact, new: &Artifact, changes: &[Change]) -> Result<(), String> {
    let required = diff::required_class(changes);
    let same = diff::same_content(old, new);
    if new.version == old.version {
        if same {
            return Ok(());
        }
        let class = required.unwrap_or(Class::Patch);
        return Err(format!(
            "the content changed but the version is still {}; the changes require a {class} bump (to {})",
            old.version,
            crate::skill::bump::next(&old.version, class)
        ));
    }
    let Some(bump) = diff::bump_class(&old.version, &new.version) else {
        return Err(format!("the version went backwards, from {} to {}", old.version, new.version));
    };
    match required {
        Some(required) if bump < required => Err(format!(
            "the changes require a {required} bump (to {} or later), but {} → {} is a {bump} bump",
            crate::skill::bump::next(&old.version, required),
            old.version,
            new.version
        )),
        _ => Ok(()),
    }
}

/// Returns the working tree's artifact of `id`, or `None` when its file is gone.
pub(super) fn current(project: &Project, ws: &Workspace, id: &str) -> anyhow::Result<Option<Artifact>> {
    let Some(skill) = ws.skill(id) else { return Ok(None) };
    if ws.file_has_errors(&skill.path) {
        return Err(UserError::usage(format!("`{}` has lint errors", skill.path.display()))
            .with_hint(format!("`agentb lint {}` shows them", skill.path.display()))
            .into());
    }
    let ctx = ParseContext::new(&project.config);
    Ok(compile::artifacts(ws, &ctx, &[skill]).pop())
}

/// Returns the error for a skill with nothing deployed to compare with.
pub(super) fn never_deployed(id: &str, project: &Project, instance: Option<&str>) -> UserError {
    let name = instance.unwrap_or(&project.config.erp.default);
    UserError::usage(format!("`{id}` was never deployed to instance `{name}`: there is nothing to compare with"))
        .with_hint("compare with a git revision (`--against HEAD`) or deploy it first")
}

/// Returns the baseline artifact `against` names, with a label: `deployed` (the version
/// deployed to `org`, else the newest deployed to the instance; `None` when never deployed), a
/// version kept in the release store, or a git revision.
pub(super) fn baseline(
    project: &Project,
    ws: &Workspace,
    id: &str,
    against: &str,
    org: Option<&str>,
    instance: Option<&str>,
) -> anyhow::Result<Option<(Artifact, String)>> {
    let store = ReleaseStore::new(project.state_dir().join("releases"));
    if against == "deployed" {
        let (name, _) = crate::erp::instance_config(project, instance)?;
        let state = State::load(&project.state_dir().join("state.toml"))?;
        let orgs = state.instances.get(name);
        let deployed: Vec<(&String, &crate::deploy::state::Deployment)> = orgs
            .into_iter()
            .flatten()
            .filter(|(o, _)| org.is_none_or(|want| want == o.as_str()))
            .filter_map(|(o, skills)| Some((o, skills.get(id)?)))
            .collect();
        let Some((_, newest)) = deployed.iter().max_by(|a, b| a.1.version.cmp(&b.1.version)) else {
            if let Some(org) = org {
                return Err(UserError::usage(format!("`{id}` is not deployed to org `{org}` of instance `{name}`"))
                    .with_hint("`agentb status` shows what is deployed where")
                    .into());
            }
            return Ok(None);
        };
        let artifact = store.get(id, &newest.version, &newest.content_hash)?.ok_or_else(|| {
            UserError::usage(format!(
                "the release store has no artifact for `{id}` {} (hash {})",
                newest.version,
                &newest.content_hash[..newest.content_hash.len().min(12)]
            ))
            .with_hint("restore `.agentbuilder/releases/` from git: it is committed with the state")
        })?;
        let on: Vec<String> =
            deployed.iter().filter(|(_, d)| d.content_hash == newest.content_hash).map(|(o, _)| (*o).clone()).collect();
        let label = if on.len() == 1 {
            format!("deployed to {} of `{name}`", on[0])
        } else {
            format!("deployed to {} orgs of `{name}`", on.len())
        };
        return Ok(Some((artifact, label)));
    }
    if let Ok(version) = semver::Version::parse(against) {
        let state = State::load(&project.state_dir().join("state.toml"))?;
        let artifact = store.find_version(id, &version, state.latest_hash(id, &version))?;
        return Ok(Some((artifact, "release store".to_owned())));
    }
    let rel = project.display_path(&project.skills_dir()).join(format!("{id}.md"));
    let text = git_show(&project.root, against, &rel)?;
    let src = SourceFile { path: rel.clone(), text, had_bom: false };
    let ctx = ParseContext::new(&project.config);
    let parsed = parse::skill_source(&src, &rel, &ctx);
    let has_errors = parsed.has_errors();
    let Some(skill) = parsed.item.filter(|_| !has_errors) else {
        return Err(
            UserError::usage(format!("`{}` at `{against}` does not parse without errors", rel.display())).into()
        );
    };
    let resolved = compile::resolve(ws, &skill);
    Ok(Some((artifact::build(&skill, resolved, &ctx.catalog, &ctx.limits), format!("git {against}"))))
}

/// Checks that `against` names something `baseline` can read before a command relies on it:
/// `deployed`, a version, or a commit git knows. `version check` treats a skill missing at the
/// revision as new, so a mistyped or unfetched revision must fail here rather than pass CI.
pub(super) fn verify_against(project: &Project, against: &str) -> anyhow::Result<()> {
    if against == "deployed" || semver::Version::parse(against).is_ok() {
        return Ok(());
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&project.root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{against}^{{commit}}")])
        .output()
        .map_err(|e| UserError::usage(format!("cannot run `git rev-parse {against}`: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(UserError::usage(format!("`{against}` is not `deployed`, a kept version, or a git revision of this project"))
        .with_hint("in CI, fetch the revision first (e.g. `git fetch origin main`, or a checkout with full history)")
        .into())
}

/// Returns the text of `path` at git revision `rev`.
fn git_show(root: &Path, rev: &str, path: &Path) -> anyhow::Result<String> {
    // A revision never starts with `-`; git would read it as an option (`--output=FILE` writes).
    if rev.starts_with('-') {
        return Err(UserError::usage(format!("`{rev}` is not `deployed`, a kept version, or a git revision"))
            .with_hint("kept versions are listed by `agentb history SKILL`")
            .into());
    }
    let spec = format!("{rev}:./{}", path.display());
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &spec])
        .output()
        .map_err(|e| UserError::usage(format!("cannot run `git show {spec}`: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(UserError::usage(format!(
            "`{rev}` is not `deployed`, a kept version, or a git revision holding `{}`: {}",
            path.display(),
            stderr.trim()
        ))
        .with_hint("kept versions are listed by `agentb history SKILL`")
        .into());
    }
    String::from_utf8(out.stdout).map_err(|_| UserError::usage(format!("`{spec}` is not UTF-8")).into())
}
