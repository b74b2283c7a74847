//! The interface diff (SPEC §9): every change between two versions of a skill's interface,
//! classified as major, minor or patch. Works on artifacts, so it compares the working tree with
//! a deployed version from the release store or with a git revision alike.
//!
//! The direction matters: tightening what a skill accepts (inputs) breaks callers, and loosening
//! what it promises (outputs) breaks consumers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Artifact;
use crate::skill::model::Status;

pub use crate::skill::bump::Class;

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub class: Class,
    /// What changed, e.g. "input `budget` added as required".
    pub what: String,
}

/// A field as the interface sees it.
#[derive(Debug, Clone, PartialEq)]
struct FieldSig {
    ty: String,
    required: bool,
    enum_values: Option<Vec<Value>>,
}

fn fields(schema: &Value) -> BTreeMap<String, FieldSig> {
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| {
                    let sig = FieldSig {
                        ty: type_name(s),
                        required: required.contains(&name.as_str()),
                        enum_values: s["enum"].as_array().cloned(),
                    };
                    (name.clone(), sig)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn type_name(s: &Value) -> String {
    let base = |s: &Value| {
        let ty = s["type"].as_str().unwrap_or("any");
        match (s["format"].as_str(), s["title"].as_str()) {
            (Some("date"), _) => "date".to_owned(),
            (Some("date-time"), _) => "datetime".to_owned(),
            (_, Some(entity)) => entity.to_owned(),
            _ => ty.to_owned(),
        }
    };
    if s["type"] == "array" && s.get("items").is_some() { format!("{}[]", base(&s["items"])) } else { base(s) }
}

/// Returns whether a value of type `from` is always a valid `to` (`integer` → `number`).
fn widens(from: &str, to: &str) -> bool {
    from == to || (from == "integer" && to == "number") || (from.ends_with("[]") && to == "array")
}

/// Returns every interface change from `old` to `new`, most severe first; `None` for `new`
/// means the skill was removed.
pub fn diff(old: &Artifact, new: Option<&Artifact>) -> Vec<Change> {
    let Some(new) = new else {
        return vec![Change { class: Class::Major, what: format!("skill `{}` removed", old.id) }];
    };
    let mut changes = Vec::new();
    let mut push = |class, what: String| changes.push(Change { class, what });

    let (old_in, new_in) = (fields(&old.input_schema), fields(&new.input_schema));
    for (name, o) in &old_in {
        match new_in.get(name) {
            None => push(Class::Major, format!("input `{name}` removed (callers that pass it are refused)")),
            Some(n) => {
                if n.required && !o.required {
                    push(Class::Major, format!("input `{name}` made required"));
                } else if !n.required && o.required {
                    push(Class::Minor, format!("input `{name}` made optional"));
                }
                if n.ty != o.ty {
                    if widens(&o.ty, &n.ty) {
                        push(Class::Minor, format!("input `{name}` widened from `{}` to `{}`", o.ty, n.ty));
                    } else {
                        push(Class::Major, format!("input `{name}` type changed from `{}` to `{}`", o.ty, n.ty));
                    }
                }
                enum_changes(&mut push, "input", name, o, n, Class::Major, Class::Minor);
            }
        }
    }
    for (name, n) in &new_in {
        if !old_in.contains_key(name) {
            if n.required {
                push(Class::Major, format!("input `{name}` added as required"));
            } else {
                push(Class::Minor, format!("optional input `{name}` added"));
            }
        }
    }

    let (old_out, new_out) = (fields(&old.output_schema), fields(&new.output_schema));
    for (name, o) in &old_out {
        match new_out.get(name) {
            None => push(Class::Major, format!("output `{name}` removed")),
            Some(n) => {
                if o.required && !n.required {
                    push(Class::Major, format!("output `{name}` made optional"));
                } else if !o.required && n.required {
                    push(Class::Minor, format!("output `{name}` made required"));
                }
                if n.ty != o.ty {
                    push(Class::Major, format!("output `{name}` type changed from `{}` to `{}`", o.ty, n.ty));
                }
                enum_changes(&mut push, "output", name, o, n, Class::Minor, Class::Major);
            }
        }
    }
    for name in new_out.keys().filter(|n| !old_out.contains_key(*n)) {
        push(Class::Minor, format!("output `{name}` added"));
    }

    for t in old.triggers.iter().filter(|t| !new.triggers.contains(t)) {
        push(Class::Major, format!("trigger {} removed", trigger_name(t)));
    }
    for t in new.triggers.iter().filter(|t| !old.triggers.contains(t)) {
        push(Class::Minor, format!("trigger {} added", trigger_name(t)));
    }
    for p in new.permissions.iter().filter(|p| !old.permissions.contains(p)) {
        push(Class::Major, format!("permission `{p}` added (orgs must re-consent)"));
    }
    for p in old.permissions.iter().filter(|p| !new.permissions.contains(p)) {
        push(Class::Minor, format!("permission `{p}` removed"));
    }
    if old.status != new.status {
        let class = status_class(old.status, new.status);
        push(class, format!("status changed from {} to {}", old.status.as_str(), new.status.as_str()));
    }
    if old.system_prompt != new.system_prompt || old.description != new.description || old.name != new.name {
        push(Class::Patch, "prompt or description changed".to_owned());
    }
    if old.limits != new.limits {
        push(Class::Patch, "limits changed".to_owned());
    }
    if old.category != new.category {
        push(Class::Patch, format!("category changed from `{}` to `{}`", old.category, new.category));
    }
    if old.dependencies != new.dependencies {
        push(Class::Patch, "dependencies changed".to_owned());
    }
    // Field descriptions and defaults are prose as far as callers are concerned.
    for (side, o, n) in
        [("input", &old.input_schema, &new.input_schema), ("output", &old.output_schema, &new.output_schema)]
    {
        let (o, n) = (prose(o), prose(n));
        let changed: Vec<&String> =
            o.iter().filter(|(k, v)| n.get(*k).is_some_and(|nv| nv != *v)).map(|(k, _)| k).collect();
        if !changed.is_empty() {
            let names: Vec<String> = changed.iter().map(|k| format!("`{k}`")).collect();
            changes.push(Change {
                class: Class::Patch,
                what: format!("{side} {}: description or default changed", names.join(", ")),
            });
        }
    }
    if old.permissions == new.permissions && old.tools != new.tools {
        changes.push(Change { class: Class::Patch, what: "tool definitions or tiers changed".to_owned() });
    }
    if changes.is_empty() && !same_content(old, new) {
        changes.push(Change { class: Class::Patch, what: "compiled content changed".to_owned() });
    }
    changes.sort_by_key(|c| std::cmp::Reverse(c.class));
    changes
}

/// Returns each field's prose: its description and default.
fn prose(schema: &Value) -> BTreeMap<String, (Value, Value)> {
    schema["properties"]
        .as_object()
        .map(|props| props.iter().map(|(k, v)| (k.clone(), (v["description"].clone(), v["default"].clone()))).collect())
        .unwrap_or_default()
}

/// Returns the class of a status change. Only active skills are enabled in the orgs, so a change
/// that takes an active skill away (disabled, or back to draft) is major; deprecating is minor
/// (callers are warned), as is any other move, such as enabling a skill (orgs gain it). A status
/// change is never patch: that is only prose and limits.
fn status_class(old: Status, new: Status) -> Class {
    match (old, new) {
        (_, Status::Disabled) | (Status::Active, Status::Draft) => Class::Major,
        _ => Class::Minor,
    }
}

/// Returns whether two artifacts are the same apart from their version and hashes.
pub fn same_content(old: &Artifact, new: &Artifact) -> bool {
    let mut a = old.clone();
    a.version.clone_from(&new.version);
    a.source_hash.clone_from(&new.source_hash);
    a.content_hash.clone_from(&new.content_hash);
    a == *new
}

/// Reports enum changes: `removed` is the class of removing values, `added` of adding them.
fn enum_changes(
    push: &mut impl FnMut(Class, String),
    side: &str,
    name: &str,
    o: &FieldSig,
    n: &FieldSig,
    removed: Class,
    added: Class,
) {
    match (&o.enum_values, &n.enum_values) {
        (Some(old), Some(new)) => {
            for v in old.iter().filter(|v| !new.contains(v)) {
                push(removed, format!("{side} `{name}`: enum value {v} removed"));
            }
            for v in new.iter().filter(|v| !old.contains(v)) {
                push(added, format!("{side} `{name}`: enum value {v} added"));
            }
        }
        (None, Some(_)) => push(removed, format!("{side} `{name}` restricted to enum values")),
        (Some(_), None) => push(added, format!("{side} `{name}` no longer restricted to enum values")),
        (None, None) => {}
    }
}

fn trigger_name(t: &crate::skill::model::Trigger) -> String {
    match t {
        crate::skill::model::Trigger::Event(e) => format!("event `{e}`"),
        crate::skill::model::Trigger::Schedule(s) => format!("schedule `{s}`"),
    }
}

/// Returns the class a set of changes requires, or `None` when there are none.
pub fn required_class(changes: &[Change]) -> Option<Class> {
    changes.iter().map(|c| c.class).max()
}

/// Returns the class of the bump from `old` to `new` (`None` when equal or lower).
pub fn bump_class(old: &semver::Version, new: &semver::Version) -> Option<Class> {
    if new <= old {
        None
    } else if new.major > old.major {
        Some(Class::Major)
    } else if new.minor > old.minor {
        Some(if old.major == 0 { Class::Major } else { Class::Minor })
    } else {
        Some(if old.major == 0 && old.minor == 0 { Class::Major } else { Class::Patch })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn artifact(inputs: Value, outputs: Value) -> Artifact {
        Artifact {
            format: 1,
            id: "a".into(),
            name: "A".into(),
            version: semver::Version::new(1, 0, 0),
            status: Status::Active,
            category: "c".into(),
            description: "d".into(),
            triggers: vec![crate::skill::model::Trigger::Event("manual_invoke".into())],
            dependencies: vec![],
            permissions: vec!["client:read".into()],
            input_schema: inputs,
            output_schema: outputs,
            tools: vec![],
            system_prompt: "p".into(),
            limits: super::super::artifact::EffectiveLimits {
                max_turns: 1,
                max_wall_secs: 1,
                max_cost_usd: 1.0,
                max_output_tokens: 1,
                max_tool_result_bytes: crate::config::DEFAULT_MAX_TOOL_RESULT_BYTES,
                tier_calls: BTreeMap::new(),
                tools: BTreeMap::new(),
            },
            source_hash: String::new(),
            content_hash: String::new(),
        }
    }

    #[allow(clippy::needless_pass_by_value, reason = "reads better at the call sites")]
    fn schema(props: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": props, "required": required})
    }

    fn classes(old: &Artifact, new: &Artifact) -> Vec<(Class, String)> {
        diff(old, Some(new)).into_iter().map(|c| (c.class, c.what)).collect()
    }

    #[test]
    fn input_side_tightening_is_major_loosening_minor() {
        let base = artifact(schema(json!({"a": {"type": "string"}}), &[]), schema(json!({}), &[]));
        let required = artifact(schema(json!({"a": {"type": "string"}}), &["a"]), schema(json!({}), &[]));
        assert_eq!(required_class(&diff(&base, Some(&required))), Some(Class::Major));
        assert_eq!(required_class(&diff(&required, Some(&base))), Some(Class::Minor));
        let added_req = artifact(
            schema(json!({"a": {"type": "string"}, "b": {"type": "integer"}}), &["b"]),
            schema(json!({}), &[]),
        );
        assert_eq!(classes(&base, &added_req), vec![(Class::Major, "input `b` added as required".into())]);
        let added_opt =
            artifact(schema(json!({"a": {"type": "string"}, "b": {"type": "integer"}}), &[]), schema(json!({}), &[]));
        assert_eq!(required_class(&diff(&base, Some(&added_opt))), Some(Class::Minor));
        let narrowed = artifact(schema(json!({"a": {"type": "string", "enum": ["x"]}}), &[]), schema(json!({}), &[]));
        let wider = artifact(schema(json!({"a": {"type": "string", "enum": ["x", "y"]}}), &[]), schema(json!({}), &[]));
        assert_eq!(required_class(&diff(&wider, Some(&narrowed))), Some(Class::Major));
        assert_eq!(required_class(&diff(&narrowed, Some(&wider))), Some(Class::Minor));
        let int = artifact(schema(json!({"a": {"type": "integer"}}), &[]), schema(json!({}), &[]));
        let num = artifact(schema(json!({"a": {"type": "number"}}), &[]), schema(json!({}), &[]));
        assert_eq!(required_class(&diff(&int, Some(&num))), Some(Class::Minor));
        assert_eq!(required_class(&diff(&num, Some(&int))), Some(Class::Major));
    }

    #[test]
    fn output_side_loosening_is_major() {
        let base = artifact(schema(json!({}), &[]), schema(json!({"o": {"type": "string"}}), &["o"]));
        let optional = artifact(schema(json!({}), &[]), schema(json!({"o": {"type": "string"}}), &[]));
        assert_eq!(required_class(&diff(&base, Some(&optional))), Some(Class::Major));
        assert_eq!(required_class(&diff(&optional, Some(&base))), Some(Class::Minor));
        let removed = artifact(schema(json!({}), &[]), schema(json!({}), &[]));
        assert_eq!(required_class(&diff(&base, Some(&removed))), Some(Class::Major));
        assert_eq!(required_class(&diff(&removed, Some(&base))), Some(Class::Minor));
        let retyped =
            artifact(schema(json!({}), &[]), schema(json!({"o": {"type": "object", "title": "Brief"}}), &["o"]));
        assert_eq!(
            classes(&base, &retyped),
            vec![(Class::Major, "output `o` type changed from `string` to `Brief`".into())]
        );
    }

    #[test]
    fn triggers_permissions_status_and_prose() {
        let base = artifact(schema(json!({}), &[]), schema(json!({}), &[]));
        let mut new = base.clone();
        new.permissions.push("brief:create".into());
        assert_eq!(required_class(&diff(&base, Some(&new))), Some(Class::Major));
        assert_eq!(required_class(&diff(&new, Some(&base))), Some(Class::Minor));
        let mut new = base.clone();
        new.triggers.clear();
        assert_eq!(required_class(&diff(&base, Some(&new))), Some(Class::Major));
        assert_eq!(required_class(&diff(&new, Some(&base))), Some(Class::Minor));
        let mut new = base.clone();
        new.status = Status::Deprecated;
        assert_eq!(required_class(&diff(&base, Some(&new))), Some(Class::Minor));
        let mut new = base.clone();
        new.system_prompt = "other".into();
        assert_eq!(required_class(&diff(&base, Some(&new))), Some(Class::Patch));
        assert_eq!(required_class(&diff(&base, Some(&base))), None);
        assert_eq!(required_class(&diff(&base, None)), Some(Class::Major));
    }

    #[test]
    fn inputs_removed_outputs_added_and_output_enums() {
        let base = artifact(
            schema(json!({"a": {"type": "string"}}), &[]),
            schema(json!({"o": {"type": "string", "enum": ["x"]}}), &["o"]),
        );
        let no_input = artifact(schema(json!({}), &[]), base.output_schema.clone());
        assert_eq!(required_class(&diff(&base, Some(&no_input))), Some(Class::Major));
        let more_out = artifact(
            base.input_schema.clone(),
            schema(json!({"o": {"type": "string", "enum": ["x"]}, "p": {"type": "integer"}}), &["o", "p"]),
        );
        assert_eq!(classes(&base, &more_out), vec![(Class::Minor, "output `p` added".into())]);
        // An output that may hold more values breaks consumers; fewer values do not.
        let wider_out =
            artifact(base.input_schema.clone(), schema(json!({"o": {"type": "string", "enum": ["x", "y"]}}), &["o"]));
        assert_eq!(required_class(&diff(&base, Some(&wider_out))), Some(Class::Major));
        assert_eq!(required_class(&diff(&wider_out, Some(&base))), Some(Class::Minor));
        let free_out = artifact(base.input_schema.clone(), schema(json!({"o": {"type": "string"}}), &["o"]));
        assert_eq!(required_class(&diff(&base, Some(&free_out))), Some(Class::Major));
        assert_eq!(required_class(&diff(&free_out, Some(&base))), Some(Class::Minor));
        // An input restricted to enum values refuses callers; lifting the restriction does not.
        let restricted =
            artifact(schema(json!({"a": {"type": "string", "enum": ["x"]}}), &[]), base.output_schema.clone());
        assert_eq!(required_class(&diff(&base, Some(&restricted))), Some(Class::Major));
        assert_eq!(required_class(&diff(&restricted, Some(&base))), Some(Class::Minor));
    }

    #[test]
    fn statuses_limits_and_descriptions() {
        let base = artifact(schema(json!({"a": {"type": "string"}}), &[]), schema(json!({}), &[]));
        let mut disabled = base.clone();
        disabled.status = Status::Disabled;
        assert_eq!(required_class(&diff(&base, Some(&disabled))), Some(Class::Major));
        assert_eq!(required_class(&diff(&disabled, Some(&base))), Some(Class::Minor));
        let mut draft = base.clone();
        draft.status = Status::Draft;
        assert_eq!(required_class(&diff(&draft, Some(&base))), Some(Class::Minor));
        // Back to draft, an active skill is no longer enabled in the orgs: as breaking as disabled.
        assert_eq!(required_class(&diff(&base, Some(&draft))), Some(Class::Major));
        let mut deprecated = base.clone();
        deprecated.status = Status::Deprecated;
        assert_eq!(required_class(&diff(&deprecated, Some(&base))), Some(Class::Minor), "enabled again");
        assert_eq!(required_class(&diff(&deprecated, Some(&draft))), Some(Class::Minor), "not prose");
        let mut limits = base.clone();
        limits.limits.max_turns = 9;
        assert_eq!(classes(&base, &limits), vec![(Class::Patch, "limits changed".into())]);
        let described =
            artifact(schema(json!({"a": {"type": "string", "description": "The a."}}), &[]), schema(json!({}), &[]));
        assert_eq!(
            classes(&base, &described),
            vec![(Class::Patch, "input `a`: description or default changed".into())]
        );
        // Alongside a bigger change the prose change is still reported.
        let both = artifact(
            schema(json!({"a": {"type": "string", "description": "The a."}, "b": {"type": "string"}}), &["b"]),
            schema(json!({}), &[]),
        );
        assert_eq!(
            classes(&base, &both),
            vec![
                (Class::Major, "input `b` added as required".into()),
                (Class::Patch, "input `a`: description or default changed".into())
            ]
        );
        let mut renamed = base.clone();
        renamed.description = "other".into();
        assert_eq!(required_class(&diff(&base, Some(&renamed))), Some(Class::Patch));
        // A new version of the same content is no change at all.
        let mut bumped = base.clone();
        bumped.version = semver::Version::new(1, 0, 1);
        bumped.source_hash = "other".into();
        assert!(diff(&base, Some(&bumped)).is_empty());
        assert!(same_content(&base, &bumped));
    }

    #[test]
    fn bumps() {
        let v = |s| semver::Version::parse(s).unwrap();
        assert_eq!(bump_class(&v("1.2.3"), &v("2.0.0")), Some(Class::Major));
        assert_eq!(bump_class(&v("1.2.3"), &v("1.3.0")), Some(Class::Minor));
        assert_eq!(bump_class(&v("1.2.3"), &v("1.2.4")), Some(Class::Patch));
        assert_eq!(bump_class(&v("1.2.3"), &v("1.2.3")), None);
        assert_eq!(bump_class(&v("0.1.0"), &v("0.2.0")), Some(Class::Major));
    }
}
