//! The form designer's check (SPEC §11): an `erp_create_form_template` call must hold a valid
//! FormTemplate — a name, at least one field, each field with a snake_case `name` (unique), a
//! `label` and a known `type` (`select` and `multiselect` with their `options`) — whose name no
//! template of the org has yet. Anything else is refused before it becomes a proposal, with a
//! message naming the problem, so the model can fix it.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::erp::{Erp, FORM_TEMPLATES, ListQuery};
use crate::runtime::{CallCheck, CheckFuture};

/// The tool that creates a form template.
pub const CREATE: &str = "erp_create_form_template";

/// The field types a FormTemplate may use.
pub const FIELD_TYPES: &[&str] = &[
    "text",
    "textarea",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "email",
    "phone",
    "url",
    "select",
    "multiselect",
    "file",
];

/// The keys a field may have.
const FIELD_KEYS: &[&str] = &["name", "label", "type", "required", "options", "description", "placeholder", "default"];

/// The keys a template may have.
const TEMPLATE_KEYS: &[&str] = &["name", "description", "fields", "isEnabled", "category"];

/// Returns the input schema of [`CREATE`]: the FormTemplate shape, for the model to follow.
pub fn create_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"data": {
            "type": "object",
            "description": "The FormTemplate to create.",
            "properties": {
                "name": {"type": "string", "description": "The template's name, unique in the org."},
                "description": {"type": "string"},
                "category": {"type": "string"},
                "isEnabled": {"type": "boolean"},
                "fields": {"type": "array", "description": "At least one field.", "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "snake_case, unique in the form."},
                        "label": {"type": "string"},
                        "type": {"enum": FIELD_TYPES},
                        "required": {"type": "boolean"},
                        "options": {"type": "array", "items": {"type": "string"}, "description": "For select and multiselect."},
                        "description": {"type": "string"},
                        "placeholder": {"type": "string"},
                        "default": {}
                    }
                }}
            },
            "required": ["name", "fields"]
        }},
        "required": ["data"],
        "additionalProperties": false
    })
}

/// Returns every problem of a FormTemplate, empty when it is valid.
pub fn validate(data: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(map) = data.as_object() else { return vec!["the form template is not an object".to_owned()] };
    for key in map.keys().filter(|k| !TEMPLATE_KEYS.contains(&k.as_str())) {
        problems.push(format!("unknown key `{key}` (a FormTemplate has {})", TEMPLATE_KEYS.join(", ")));
    }
    if map.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
        problems.push("the form template has no `name`".to_owned());
    }
    let fields = match map.get("fields") {
        Some(Value::Array(fields)) => fields,
        Some(_) => {
            problems.push("`fields` is not a list".to_owned());
            return problems;
        }
        None => {
            problems.push("the form template has no `fields`; a form needs at least one field".to_owned());
            return problems;
        }
    };
    if fields.is_empty() {
        problems.push("the form template has no fields; a form needs at least one field".to_owned());
    }
    let mut names = BTreeSet::new();
    for (i, field) in fields.iter().enumerate() {
        let Some(f) = field.as_object() else {
            problems.push(format!("`fields[{i}]` is not an object"));
            continue;
        };
        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
        let at = if name.is_empty() { format!("`fields[{i}]`") } else { format!("field `{name}`") };
        if name.is_empty() {
            problems.push(format!("{at} has no `name`"));
        } else if !crate::text::is_snake_case(name) {
            problems.push(format!("{at}: the name is not snake_case"));
        } else if !names.insert(name.to_owned()) {
            problems.push(format!("{at} appears twice"));
        }
        for key in f.keys().filter(|k| !FIELD_KEYS.contains(&k.as_str())) {
            problems.push(format!("{at}: unknown key `{key}`"));
        }
        if f.get("label").and_then(Value::as_str).is_none_or(|l| l.trim().is_empty()) {
            problems.push(format!("{at} has no `label`"));
        }
        match f.get("type").and_then(Value::as_str) {
            None => problems.push(format!("{at} has no `type`")),
            Some(ty) if !FIELD_TYPES.contains(&ty) => {
                problems.push(format!("{at}: unknown type `{ty}` (one of {})", FIELD_TYPES.join(", ")));
            }
            Some(ty @ ("select" | "multiselect")) => {
                let ok = f.get("options").and_then(Value::as_array).is_some_and(|o| {
                    !o.is_empty() && o.iter().all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
                });
                if !ok {
                    problems.push(format!("{at}: a `{ty}` field needs `options`, a list of strings"));
                }
            }
            Some(_) => {}
        }
        if f.get("required").is_some_and(|r| !r.is_boolean()) {
            problems.push(format!("{at}: `required` is not true or false"));
        }
    }
    problems
}

/// The check of the form designer's calls.
#[derive(Debug, Clone, Copy)]
pub struct FormCheck;

impl CallCheck for FormCheck {
    fn check<'a>(&'a self, erp: &'a dyn Erp, org: &'a str, tool: &'a str, input: &'a Value) -> CheckFuture<'a> {
        Box::pin(async move {
            if tool != CREATE {
                return Ok(None);
            }
            let data = &input["data"];
            let problems = validate(data);
            if !problems.is_empty() {
                return Ok(Some(format!(
                    "the FormTemplate is not valid, so nothing was proposed: {}",
                    problems.join("; ")
                )));
            }
            let name = data["name"].as_str().unwrap_or_default();
            let query = ListQuery::new().filter("name", name);
            let page = erp.list(org, FORM_TEMPLATES, &query).await?;
            if let Some(existing) = page.data.first() {
                let id = existing.get("id").and_then(Value::as_str).unwrap_or("?");
                return Ok(Some(format!(
                    "org `{org}` already has a form template named `{name}` (id `{id}`); choose another name or reuse it"
                )));
            }
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_template_passes() {
        let data = json!({"name": "Client intake", "fields": [
            {"name": "company", "label": "Company", "type": "text", "required": true},
            {"name": "budget", "label": "Budget", "type": "select", "options": ["<10k", "10k+"]}
        ]});
        assert_eq!(validate(&data), Vec::<String>::new());
    }

    #[test]
    fn a_form_without_fields_and_bad_fields_are_named() {
        let empty = validate(&json!({"name": "X", "fields": []}));
        assert!(empty[0].contains("no fields"), "{empty:?}");
        assert!(validate(&json!({"name": "X"}))[0].contains("no `fields`"));
        let bad = validate(&json!({"fields": [
            {"name": "A b", "label": "", "type": "colour"},
            {"name": "pick", "label": "Pick", "type": "select"},
            {"name": "pick", "label": "Again", "type": "text", "extra": 1}
        ]}));
        let all = bad.join("\n");
        for needle in [
            "no `name`",
            "not snake_case",
            "no `label`",
            "unknown type `colour`",
            "needs `options`",
            "appears twice",
            "unknown key `extra`",
        ] {
            assert!(all.contains(needle), "{needle}: {all}");
        }
    }
}
