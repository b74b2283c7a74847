//! The workflow designer's check (SPEC §11): an `erp_create_content_trigger` call must hold a
//! valid ContentTrigger — a `name` no trigger of the org has yet, a snake_case `event`, and a
//! `skillSlug` naming a skill the org already has (triggers may invoke existing skills only).
//! Anything else is refused before it becomes a proposal, with a message naming the problem.

use serde_json::{Value, json};

use crate::erp::{AGENT_SKILLS, CONTENT_TRIGGERS, Erp, ErpExt as _, ListQuery};
use crate::runtime::{CallCheck, CheckFuture};

/// The tool that creates a content trigger.
pub const CREATE: &str = "erp_create_content_trigger";

/// The keys a trigger may have.
const KEYS: &[&str] = &["name", "description", "event", "skillSlug", "conditions", "input", "isEnabled"];

/// Returns the input schema of [`CREATE`]: the ContentTrigger shape, for the model to follow.
pub fn create_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"data": {
            "type": "object",
            "description": "The ContentTrigger to create: when `event` happens, the org runs the skill `skillSlug`.",
            "properties": {
                "name": {"type": "string", "description": "The trigger's name, unique in the org."},
                "description": {"type": "string"},
                "event": {"type": "string", "description": "snake_case event name, e.g. `brief_created`, or `<skill>_completed` to chain after a skill."},
                "skillSlug": {"type": "string", "description": "The id of an existing skill of the org."},
                "conditions": {"type": "object", "description": "Field values the event's record must have."},
                "input": {"type": "object", "description": "The skill's input, from the event's record."},
                "isEnabled": {"type": "boolean"}
            },
            "required": ["name", "event", "skillSlug"]
        }},
        "required": ["data"],
        "additionalProperties": false
    })
}

/// Returns every problem of a ContentTrigger that needs no ERP read, empty when there is none.
pub fn validate(data: &Value) -> Vec<String> {
    let Some(map) = data.as_object() else { return vec!["the content trigger is not an object".to_owned()] };
    let mut problems = Vec::new();
    for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        problems.push(format!("unknown key `{key}` (a ContentTrigger has {})", KEYS.join(", ")));
    }
    if map.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
        problems.push("the content trigger has no `name`".to_owned());
    }
    match map.get("event").and_then(Value::as_str) {
        None => problems.push("the content trigger has no `event`".to_owned()),
        Some(e) if !crate::text::is_snake_case(e) => problems.push(format!("the event `{e}` is not snake_case")),
        Some(_) => {}
    }
    if map.get("skillSlug").and_then(Value::as_str).is_none_or(str::is_empty) {
        problems.push("the content trigger has no `skillSlug` (the skill it invokes)".to_owned());
    }
    for key in ["conditions", "input"] {
        if map.get(key).is_some_and(|v| !v.is_object()) {
            problems.push(format!("`{key}` is not an object"));
        }
    }
    if map.get("isEnabled").is_some_and(|v| !v.is_boolean()) {
        problems.push("`isEnabled` is not true or false".to_owned());
    }
    problems
}

/// The check of the workflow designer's calls.
#[derive(Debug, Clone, Copy)]
pub struct WorkflowCheck;

impl CallCheck for WorkflowCheck {
    fn check<'a>(&'a self, erp: &'a dyn Erp, org: &'a str, tool: &'a str, input: &'a Value) -> CheckFuture<'a> {
        Box::pin(async move {
            if tool != CREATE {
                return Ok(None);
            }
            let data = &input["data"];
            let problems = validate(data);
            if !problems.is_empty() {
                return Ok(Some(format!(
                    "the ContentTrigger is not valid, so nothing was proposed: {}",
                    problems.join("; ")
                )));
            }
            let (name, slug) =
                (data["name"].as_str().unwrap_or_default(), data["skillSlug"].as_str().unwrap_or_default());
            let found = erp.list(org, AGENT_SKILLS, &ListQuery::new().filter("slug", slug)).await?;
            if found.data.is_empty() {
                let skills = erp.list_all(org, AGENT_SKILLS, ListQuery::new()).await?;
                let mut slugs: Vec<&str> =
                    skills.iter().filter_map(|s| s.get("slug").and_then(Value::as_str)).collect();
                slugs.sort_unstable();
                let known = if slugs.is_empty() { "none".to_owned() } else { slugs.join(", ") };
                return Ok(Some(format!(
                    "the trigger `{name}` invokes skill `{slug}`, which org `{org}` does not have; triggers may invoke \
                     existing skills only (the org's skills: {known})"
                )));
            }
            let same = erp.list(org, CONTENT_TRIGGERS, &ListQuery::new().filter("name", name)).await?;
            if let Some(existing) = same.data.first() {
                let id = existing.get("id").and_then(Value::as_str).unwrap_or("?");
                return Ok(Some(format!(
                    "org `{org}` already has a content trigger named `{name}` (id `{id}`); choose another name"
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
    fn a_trigger_needs_a_name_a_snake_case_event_and_a_skill() {
        assert!(validate(&json!({"name": "a", "event": "brief_created", "skillSlug": "brief-creator"})).is_empty());
        let all = validate(&json!({"event": "BriefCreated", "conditions": 3, "when": 1})).join("\n");
        for needle in [
            "no `name`",
            "`BriefCreated` is not snake_case",
            "no `skillSlug`",
            "`conditions` is not",
            "unknown key `when`",
        ] {
            assert!(all.contains(needle), "{needle}: {all}");
        }
    }
}
