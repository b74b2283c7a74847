//! Scaffolding (`agentb new`): the checks of what a new skill or persona file is made of, and
//! the text of a file that passes lint.

use std::fmt::Write as _;

use super::model::{FieldType, is_valid_id, normalize_id};

/// What a new file cannot be made of.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("invalid id `{id}`")]
    InvalidId { id: String },
    /// A text value (named by its flag) that lint would refuse.
    #[error("`{flag}` must not be empty")]
    Empty { flag: &'static str },
    #[error("`{spec}` is not `name:type`")]
    NotNameType { spec: String },
    #[error("field name `{name}` is not snake_case")]
    FieldName { name: String },
    #[error("unknown type `{ty}` in `{spec}`")]
    UnknownType { ty: String, spec: String },
    #[error("trigger event `{event}` is not snake_case")]
    TriggerEvent { event: String },
    #[error("permission `{permission}` is not `resource:action`")]
    Permission { permission: String },
    /// The resource of a permission is not snake_case.
    #[error("the resource `{resource}` of permission `{permission}` is not snake_case")]
    PermissionResource { permission: String, resource: String },
    /// The action of a permission is not one of the catalog's.
    #[error("unknown action `{action}` in permission `{permission}`")]
    UnknownAction { permission: String, action: String, suggestion: Option<String> },
}

impl ScaffoldError {
    /// Returns the obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            ScaffoldError::InvalidId { id } => {
                Some(format!("use lowercase letters, digits and single hyphens, e.g. `{}`", normalize_id(id)))
            }
            ScaffoldError::Empty { .. } | ScaffoldError::FieldName { .. } => None,
            ScaffoldError::NotNameType { .. } => {
                Some("e.g. `--input request:string!` (`!` marks it required)".to_owned())
            }
            ScaffoldError::UnknownType { .. } => Some(
                "use string, number, integer, boolean, object, array, date, datetime or an ERP entity type, optionally with `[]`"
                    .to_owned(),
            ),
            ScaffoldError::TriggerEvent { event } => Some(format!("e.g. `{}`", crate::text::to_snake_case(event))),
            ScaffoldError::Permission { .. } => Some("e.g. `brief:create`, `client:read`".to_owned()),
            ScaffoldError::PermissionResource { resource, .. } => {
                Some(format!("e.g. `{}`", crate::text::to_snake_case(resource)))
            }
            ScaffoldError::UnknownAction { suggestion, .. } => {
                let actions: Vec<&str> = crate::tools::Action::ALL.iter().map(|a| a.as_str()).collect();
                Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`? the actions are {}", actions.join(", ")),
                    None => format!("the actions are {}", actions.join(", ")),
                })
            }
        }
    }
}

/// Checks an id for a new file.
pub fn check_id(id: &str) -> Result<(), ScaffoldError> {
    if is_valid_id(id) { Ok(()) } else { Err(ScaffoldError::InvalidId { id: id.to_owned() }) }
}

/// Returns a text value that lint accepts: not empty or only white space.
pub fn non_empty(value: String, flag: &'static str) -> Result<String, ScaffoldError> {
    if value.trim().is_empty() { Err(ScaffoldError::Empty { flag }) } else { Ok(value) }
}

/// Checks a trigger event name.
pub fn check_trigger(event: &str) -> Result<(), ScaffoldError> {
    if crate::text::is_snake_case(event) {
        Ok(())
    } else {
        Err(ScaffoldError::TriggerEvent { event: event.to_owned() })
    }
}

/// Checks a `resource:action` permission.
pub fn check_permission(permission: &str) -> Result<(), ScaffoldError> {
    let Some((resource, action)) = permission.split_once(':') else {
        return Err(ScaffoldError::Permission { permission: permission.to_owned() });
    };
    if !crate::text::is_snake_case(resource) {
        return Err(ScaffoldError::PermissionResource {
            permission: permission.to_owned(),
            resource: resource.to_owned(),
        });
    }
    if crate::tools::Action::parse(action).is_none() {
        let names = crate::tools::Action::ALL.map(crate::tools::Action::as_str);
        let suggestion = crate::text::did_you_mean(action, names).map(str::to_owned);
        return Err(ScaffoldError::UnknownAction {
            permission: permission.to_owned(),
            action: action.to_owned(),
            suggestion,
        });
    }
    Ok(())
}

/// A parsed `name:type` or `name:type!` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    pub ty: String,
    pub required: bool,
}

/// Parses `name:type` (`!` at the end marks it required), the type one of the built-in types or
/// of `entities`.
pub fn parse_field(spec: &str, entities: &[&str]) -> Result<FieldSpec, ScaffoldError> {
    let (name, ty) = spec.split_once(':').ok_or_else(|| ScaffoldError::NotNameType { spec: spec.to_owned() })?;
    let (ty, required) = ty.strip_suffix('!').map_or((ty, false), |t| (t, true));
    if !crate::text::is_snake_case(name) {
        return Err(ScaffoldError::FieldName { name: name.to_owned() });
    }
    if FieldType::parse(ty, entities).is_none() {
        return Err(ScaffoldError::UnknownType { ty: ty.to_owned(), spec: spec.to_owned() });
    }
    Ok(FieldSpec { name: name.to_owned(), ty: ty.to_owned(), required })
}

/// Returns the title of a skill id: `brief-creator` → `Brief Creator`.
pub fn title(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a new skill file is made of (checked with the functions above).
#[derive(Debug, Clone)]
pub struct NewSkill {
    pub id: String,
    pub category: String,
    pub description: String,
    pub triggers: Vec<String>,
    pub inputs: Vec<FieldSpec>,
    pub outputs: Vec<FieldSpec>,
    pub permissions: Vec<String>,
}

/// Returns the text of a new skill file: version 0.1.0, draft, and a body with every section.
pub fn skill_text(skill: &NewSkill) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "---\nid: {}\ntype: skill\nversion: 0.1.0\nstatus: draft\ncategory: {}\ndescription: {}\ntriggers:",
        skill.id,
        yaml_str(&skill.category),
        yaml_str(&skill.description)
    );
    for t in &skill.triggers {
        let _ = writeln!(s, "  - event: {t}");
    }
    for (key, fields) in [("inputs", &skill.inputs), ("outputs", &skill.outputs)] {
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
    if skill.permissions.is_empty() {
        s.push_str("permissions: []\n");
    } else {
        s.push_str("permissions:\n");
        for p in &skill.permissions {
            let _ = writeln!(s, "  - {p}");
        }
    }
    let _ = write!(
        s,
        "---\n\n# {}\n\n## Purpose\n{}\n\n## Founder Knowledge\n> \"Write down what the best person on the team knows about this.\"\n\n## Process\n1. Read the inputs and check they are complete\n2. Gather what you need with the tools you have\n3. Produce the output\n\n## Error Handling\n| Error | Action |\n|-------|--------|\n| Missing input | Ask for the missing information |\n",
        title(&skill.id),
        skill.description
    );
    s
}

/// Returns the text of a new persona file.
pub fn persona_text(id: &str, name: &str, allowed_skills: &[String]) -> String {
    let mut s = format!("---\nid: {id}\ntype: persona\nname: {}\n", yaml_str(name));
    if allowed_skills.is_empty() {
        s.push_str("allowed_skills: []\n");
    } else {
        s.push_str("allowed_skills:\n");
        for id in allowed_skills {
            let _ = writeln!(s, "  - {id}");
        }
    }
    let _ = write!(
        s,
        "---\n\nYou are {name}. Describe the voice, the priorities and the boundaries of this persona here.\n"
    );
    s
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
        super::yaml::load(&doc, 0..doc.len()).is_ok_and(|root| root.get("v").and_then(|v| v.as_str()) == Some(s))
    };
    if plain { s.to_owned() } else { serde_json::to_string(s).unwrap_or_default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaffolded_skill_parses_without_errors() {
        let skill = NewSkill {
            id: "brief-creator".into(),
            category: "briefs".into(),
            description: "yes".into(),
            triggers: vec!["manual_invoke".into()],
            inputs: vec![parse_field("request:string!", &[]).unwrap()],
            outputs: vec![],
            permissions: vec!["brief:create".into()],
        };
        let text = skill_text(&skill);
        assert!(text.contains("description: \"yes\"\n"), "{text}");
        assert!(text.contains("# Brief Creator\n"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("brief-creator.md");
        std::fs::write(&path, &text).unwrap();
        let ctx = super::super::parse::ParseContext::new(&crate::config::Config::default());
        let parsed = super::super::parse::skill_file(&path, std::path::Path::new("brief-creator.md"), &ctx);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    }

    #[test]
    fn bad_parts_are_refused_with_hints() {
        assert_eq!(
            check_id("Brief_Creator").unwrap_err().hint().as_deref(),
            Some("use lowercase letters, digits and single hyphens, e.g. `brief-creator`")
        );
        assert!(matches!(parse_field("x", &[]), Err(ScaffoldError::NotNameType { .. })));
        assert!(matches!(parse_field("x:money", &[]), Err(ScaffoldError::UnknownType { .. })));
        assert!(check_permission("brief:fly").is_err());
        assert!(check_trigger("NewBrief").is_err());
    }
}
