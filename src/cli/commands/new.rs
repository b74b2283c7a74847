//! `agentb new skill|persona ID`: scaffold a file that passes lint, asking on a terminal for
//! what the flags did not give.

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, NewCommand, NewPersonaArgs, NewSkillArgs};
use crate::skill::scaffold::{self, NewSkill, ScaffoldError};
use crate::workspace::Project;

pub fn run(ctx: &Ctx, command: &NewCommand) -> anyhow::Result<ExitStatus> {
    ctx.format(&[Format::Human, Format::Json])?;
    match command {
        NewCommand::Skill(args) => skill(ctx, args),
        NewCommand::Persona(args) => persona(ctx, args),
    }
}

/// A check of one answer: `Err` holds the reason, shown before the question is asked again.
type Check<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Returns the reason an error gives, with its hint.
fn reason(e: &ScaffoldError) -> String {
    match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    }
}

/// Asks on a terminal (the default without one); a bad answer is refused at once with its
/// reason and the question asked again.
fn ask(ctx: &Ctx, prompt: &str, default: &str, check: Check<'_>) -> anyhow::Result<String> {
    if !ctx.settings.interactive {
        return Ok(default.to_owned());
    }
    Ok(dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .default(default.to_owned())
        .validate_with(|answer: &String| check(answer))
        .interact_text()?)
}

/// Splits a comma-separated answer.
fn split_list(answer: &str) -> Vec<String> {
    answer.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn ask_list(ctx: &Ctx, prompt: &str, given: &[String], default: &str, check: Check<'_>) -> anyhow::Result<Vec<String>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let each = |answer: &str| split_list(answer).iter().try_for_each(|item| check(item));
    Ok(split_list(&ask(ctx, prompt, default, &each)?))
}

/// Refuses to overwrite a file without `--force`.
fn check_new(project: &Project, path: &std::path::Path, force: bool) -> Result<(), UserError> {
    if path.exists() && !force {
        return Err(UserError::usage(format!("`{}` already exists", project.display_path(path).display()))
            .with_hint("pass `--force` to overwrite it"));
    }
    Ok(())
}

fn skill(ctx: &Ctx, args: &NewSkillArgs) -> anyhow::Result<ExitStatus> {
    scaffold::check_id(&args.id)?;
    let project = ctx.project()?;
    let path = project.skills_dir().join(format!("{}.md", args.id));
    check_new(project, &path, args.force)?;
    let parse_ctx = crate::skill::parse::ParseContext::new(&project.config);
    let entities: Vec<&str> = parse_ctx.entities.iter().map(String::as_str).collect();
    let title = scaffold::title(&args.id);

    let text =
        |flag: &'static str| move |a: &str| scaffold::non_empty(a.to_owned(), flag).map(drop).map_err(|e| reason(&e));
    let field = |a: &str| scaffold::parse_field(a, &entities).map(drop).map_err(|e| reason(&e));
    let category = match &args.category {
        Some(c) => c.clone(),
        None => ask(ctx, "Category", "general", &text("--category"))?,
    };
    let category = scaffold::non_empty(category, "--category")?;
    let description = match &args.description {
        Some(d) => d.clone(),
        None => ask(ctx, "One-sentence description", &format!("{title}."), &text("--description"))?,
    };
    let description = scaffold::non_empty(description, "--description")?;
    let trigger = |a: &str| scaffold::check_trigger(a).map_err(|e| reason(&e));
    let triggers = ask_list(ctx, "Trigger events (comma-separated)", &args.triggers, "manual_invoke", &trigger)?;
    triggers.iter().try_for_each(|t| scaffold::check_trigger(t))?;
    let prompt = "Inputs as name:type (`!` = required, comma-separated)";
    let inputs = ask_list(ctx, prompt, &args.inputs, "request:string!", &field)?;
    let outputs = ask_list(ctx, "Outputs as name:type (comma-separated)", &args.outputs, "summary:string", &field)?;
    let permission = |a: &str| scaffold::check_permission(a).map_err(|e| reason(&e));
    let prompt = "Permissions as resource:action (comma-separated, may be empty)";
    let permissions = ask_list(ctx, prompt, &args.permissions, "", &permission)?;
    let inputs = inputs.iter().map(|s| scaffold::parse_field(s, &entities)).collect::<Result<Vec<_>, _>>()?;
    let outputs = outputs.iter().map(|s| scaffold::parse_field(s, &entities)).collect::<Result<Vec<_>, _>>()?;
    permissions.iter().try_for_each(|p| scaffold::check_permission(p))?;

    let text = scaffold::skill_text(&NewSkill {
        id: args.id.clone(),
        category,
        description,
        triggers,
        inputs,
        outputs,
        permissions,
    });
    std::fs::create_dir_all(project.skills_dir())?;
    std::fs::write(&path, text)?;
    created(ctx, "skill", &args.id, &project.display_path(&path));
    ctx.printer.status("Created", project.display_path(&path).display());
    ctx.printer.hint(format!("edit it, then `agentb lint {}`", project.display_path(&path).display()));
    Ok(ExitStatus::Success)
}

fn persona(ctx: &Ctx, args: &NewPersonaArgs) -> anyhow::Result<ExitStatus> {
    scaffold::check_id(&args.id)?;
    let project = ctx.project()?;
    let path = project.personas_dir().join(format!("{}.md", args.id));
    check_new(project, &path, args.force)?;
    let default_name = args.id.replace('-', " ");
    let text = |a: &str| scaffold::non_empty(a.to_owned(), "--name").map(drop).map_err(|e| reason(&e));
    let name = match &args.name {
        Some(n) => n.clone(),
        None => ask(ctx, "Display name", &default_name, &text)?,
    };
    let name = scaffold::non_empty(name, "--name")?;
    let ws = crate::workspace::load::load(project)?;
    let known = |id: &str| {
        if ws.skill(id).is_some() {
            return Ok(());
        }
        let ids = ws.skills.iter().map(|s| s.id.value.as_str());
        Err(match crate::text::did_you_mean(id, ids) {
            Some(m) => format!("no skill `{id}` in this project (did you mean `{m}`?)"),
            None => format!("no skill `{id}` in this project"),
        })
    };
    let allowed = ask_list(ctx, "Allowed skills (comma-separated ids)", &args.allowed_skills, "", &known)?;
    for id in &allowed {
        if ws.skill(id).is_none() {
            let err = UserError::usage(format!("no skill `{id}` in this project"));
            let err = match crate::text::did_you_mean(id, ws.skills.iter().map(|s| s.id.value.as_str())) {
                Some(m) => err.with_hint(format!("did you mean `{m}`?")),
                None => err,
            };
            return Err(err.into());
        }
    }
    std::fs::create_dir_all(project.personas_dir())?;
    std::fs::write(&path, scaffold::persona_text(&args.id, &name, &allowed))?;
    created(ctx, "persona", &args.id, &project.display_path(&path));
    ctx.printer.status("Created", project.display_path(&path).display());
    Ok(ExitStatus::Success)
}

/// What `agentb new` wrote (`--format json`).
#[derive(Debug, serde::Serialize)]
struct Created<'a> {
    kind: &'a str,
    id: &'a str,
    path: String,
}

/// Prints what was written as JSON under `--format json`.
fn created(ctx: &Ctx, kind: &str, id: &str, path: &std::path::Path) {
    if ctx.settings.format == Some(Format::Json) {
        ctx.printer.json(&Created { kind, id, path: path.display().to_string() });
    }
}
