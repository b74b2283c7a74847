//! `agentb new skill|persona ID`: scaffold a file that passes lint, asking on a terminal for
//! what the flags did not give.

use std::fmt::Write as _;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{NewCommand, NewPersonaArgs, NewSkillArgs};
use crate::skill::model::{FieldType, is_valid_id};

pub fn run(ctx: &Ctx, command: &NewCommand) -> anyhow::Result<ExitStatus> {
    match command {
        NewCommand::Skill(args) => skill(ctx, args),
        NewCommand::Persona(args) => persona(ctx, args),
    }
}

fn check_id(id: &str) -> Result<(), UserError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(UserError::usage(format!("invalid id `{id}`")).with_hint(format!(
            "use lowercase letters, digits and single hyphens, e.g. `{}`",
            crate::skill::model::normalize_id(id)
        )))
    }
}

/// Returns a text value that lint accepts: not empty or only white space.
fn non_empty(value: String, flag: &str) -> Result<String, UserError> {
    if value.trim().is_empty() { Err(UserError::usage(format!("`{flag}` must not be empty"))) } else { Ok(value) }
}

fn ask(ctx: &Ctx, prompt: &str, default: &str) -> anyhow::Result<String> {
    if !ctx.settings.interactive {
        return Ok(default.to_owned());
    }
    Ok(dialoguer::Input::<String>::new().with_prompt(prompt).default(default.to_owned()).interact_text()?)
}

fn ask_list(ctx: &Ctx, prompt: &str, given: &[String], default: &str) -> anyhow::Result<Vec<String>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let answer = ask(ctx, prompt, default)?;
    Ok(answer.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
}

/// A parsed `name:type` or `name:type!` flag.
struct FieldSpec {
    name: String,
    ty: String,
    required: bool,
}

fn parse_field(spec: &str, entities: &[&str]) -> Result<FieldSpec, UserError> {
    let (name, ty) = spec.split_once(':').ok_or_else(|| {
        UserError::usage(format!("`{spec}` is not `name:type`"))
            .with_hint("e.g. `--input request:string!` (`!` marks it required)")
    })?;
    let (ty, required) = ty.strip_suffix('!').map_or((ty, false), |t| (t, true));
    if !crate::text::is_snake_case(name) {
        return Err(UserError::usage(format!("field name `{name}` is not snake_case")));
    }
    if FieldType::parse(ty, entities).is_none() {
        return Err(UserError::usage(format!("unknown type `{ty}` in `{spec}`")).with_hint("use string, number, integer, boolean, object, array, date, datetime or an ERP entity type, optionally with `[]`"));
    }
    Ok(FieldSpec { name: name.to_owned(), ty: ty.to_owned(), required })
}

fn skill(ctx: &Ctx, args: &NewSkillArgs) -> anyhow::Result<ExitStatus> {
    check_id(&args.id)?;
    let project = ctx.project()?;
    let path = project.skills_dir().join(format!("{}.md", args.id));
    if path.exists() && !args.force {
        return Err(UserError::usage(format!("`{}` already exists", project.display_path(&path).display()))
            .with_hint("pass `--force` to overwrite it")
            .into());
    }
    let parse_ctx = crate::skill::parse::ParseContext::new(&project.config);
    let entities: Vec<&str> = parse_ctx.entities.iter().map(String::as_str).collect();
    let title = args
        .id
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");

    let category = match &args.category {
        Some(c) => c.clone(),
        None => ask(ctx, "Category", "general")?,
    };
    let category = non_empty(category, "--category")?;
    let description = match &args.description {
        Some(d) => d.clone(),
        None => ask(ctx, "One-sentence description", &format!("{title}."))?,
    };
    let description = non_empty(description, "--description")?;
    let triggers = ask_list(ctx, "Trigger events (comma-separated)", &args.triggers, "manual_invoke")?;
    for t in &triggers {
        if !crate::text::is_snake_case(t) {
            return Err(UserError::usage(format!("trigger event `{t}` is not snake_case"))
                .with_hint(format!("e.g. `{}`", crate::text::to_snake_case(t)))
                .into());
        }
    }
    let inputs =
        ask_list(ctx, "Inputs as name:type (`!` = required, comma-separated)", &args.inputs, "request:string!")?;
    let outputs = ask_list(ctx, "Outputs as name:type (comma-separated)", &args.outputs, "summary:string")?;
    let permissions =
        ask_list(ctx, "Permissions as resource:action (comma-separated, may be empty)", &args.permissions, "")?;
    let inputs = inputs.iter().map(|s| parse_field(s, &entities)).collect::<Result<Vec<_>, _>>()?;
    let outputs = outputs.iter().map(|s| parse_field(s, &entities)).collect::<Result<Vec<_>, _>>()?;
    for p in &permissions {
        let ok = p
            .split_once(':')
            .is_some_and(|(r, a)| crate::text::is_snake_case(r) && crate::tools::Action::parse(a).is_some());
        if !ok {
            return Err(UserError::usage(format!("permission `{p}` is not `resource:action`"))
                .with_hint("e.g. `brief:create`, `client:read`")
                .into());
        }
    }

    let mut s = String::new();
    let _ = writeln!(
        s,
        "---\nid: {}\ntype: skill\nversion: 0.1.0\nstatus: draft\ncategory: {}\ndescription: {}\ntriggers:",
        args.id,
        yaml_str(&category),
        yaml_str(&description)
    );
    for t in &triggers {
        let _ = writeln!(s, "  - event: {t}");
    }
    for (key, fields) in [("inputs", &inputs), ("outputs", &outputs)] {
        if fields.is_empty() {
            let _ = writeln!(s, "{key}: []");
            continue;
        }
        let _ = writeln!(s, "{key}:");
        for f in fields {
            let _ = writeln!(s, "  - name: {}\n    type: {}", f.name, yaml_str(&f.ty));
            if key == "inputs" && f.required {
                s.push_str("    required: true\n");
            }
        }
    }
    if permissions.is_empty() {
        s.push_str("permissions: []\n");
    } else {
        s.push_str("permissions:\n");
        for p in &permissions {
            let _ = writeln!(s, "  - {p}");
        }
    }
    let _ = write!(
        s,
        "---\n\n# {title}\n\n## Purpose\n{description}\n\n## Founder Knowledge\n> \"Write down what the best person on the team knows about this.\"\n\n## Process\n1. Read the inputs and check they are complete\n2. Gather what you need with the tools you have\n3. Produce the output\n\n## Error Handling\n| Error | Action |\n|-------|--------|\n| Missing input | Ask for the missing information |\n"
    );
    std::fs::create_dir_all(project.skills_dir())?;
    std::fs::write(&path, s)?;
    ctx.printer.status("Created", project.display_path(&path).display());
    ctx.printer.hint(format!("edit it, then `agentb lint {}`", project.display_path(&path).display()));
    Ok(ExitStatus::Success)
}

fn persona(ctx: &Ctx, args: &NewPersonaArgs) -> anyhow::Result<ExitStatus> {
    check_id(&args.id)?;
    let project = ctx.project()?;
    let path = project.personas_dir().join(format!("{}.md", args.id));
    if path.exists() && !args.force {
        return Err(UserError::usage(format!("`{}` already exists", project.display_path(&path).display()))
            .with_hint("pass `--force` to overwrite it")
            .into());
    }
    let default_name = args.id.replace('-', " ");
    let name = match &args.name {
        Some(n) => n.clone(),
        None => ask(ctx, "Display name", &default_name)?,
    };
    let name = non_empty(name, "--name")?;
    let allowed = ask_list(ctx, "Allowed skills (comma-separated ids)", &args.allowed_skills, "")?;
    let ws = crate::skill::project::load(project)?;
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
    let mut s = format!("---\nid: {}\ntype: persona\nname: {}\n", args.id, yaml_str(&name));
    if allowed.is_empty() {
        s.push_str("allowed_skills: []\n");
    } else {
        s.push_str("allowed_skills:\n");
        for id in &allowed {
            let _ = writeln!(s, "  - {id}");
        }
    }
    let _ = write!(
        s,
        "---\n\nYou are {name}. Describe the voice, the priorities and the boundaries of this persona here.\n"
    );
    std::fs::create_dir_all(project.personas_dir())?;
    std::fs::write(&path, s)?;
    ctx.printer.status("Created", project.display_path(&path).display());
    Ok(ExitStatus::Success)
}

/// Quotes a YAML scalar when it would not read back as the same plain string.
fn yaml_str(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with([' ', ':'])
        && s.parse::<f64>().is_err()
        && !matches!(s.to_lowercase().as_str(), "true" | "false" | "null" | "~" | "yes" | "no");
    // The heuristics miss YAML's other readings (`0x1F`, `.inf`, a line break): a plain scalar
    // is only written when it reads back as exactly this string.
    let plain = plain && {
        let doc = format!("v: {s}\n");
        crate::skill::yaml::load(&doc, 0..doc.len()).is_ok_and(|root| root.get("v").and_then(|v| v.as_str()) == Some(s))
    };
    if plain { s.to_owned() } else { serde_json::to_string(s).unwrap_or_default() }
}
