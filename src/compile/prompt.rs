//! Rendering a skill's context into the system prompt that is joined with a persona's prompt.

use std::fmt::Write as _;

use crate::skill::Skill;
use crate::skill::model::Field;

/// Renders the skill's system prompt: purpose, founder knowledge, process, error rules, other
/// context, inputs, the expected output, and the constraints the runtime enforces.
pub fn render(skill: &Skill) -> String {
    let mut p = String::with_capacity(4096);
    let _ = writeln!(p, "# Skill: {} ({} v{})\n", skill.name, skill.id.value, skill.version.value);
    if !skill.description.is_empty() {
        let _ = writeln!(p, "{}\n", skill.description.trim());
    }
    if let Some(purpose) = &skill.body.purpose {
        let _ = writeln!(p, "## Purpose\n{}\n", purpose.trim());
    }
    if !skill.body.knowledge.is_empty() {
        p.push_str("## Founder knowledge\nPrinciples from the founders; follow them when you judge quality:\n");
        for quote in &skill.body.knowledge {
            let _ = writeln!(p, "- {}", quote.replace('\n', " "));
        }
        p.push('\n');
    }
    if let Some(steps) = &skill.body.process {
        p.push_str("## Process\nFollow these steps in order:\n");
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(p, "{}. {}", i + 1, step.replace('\n', " "));
        }
        p.push('\n');
    }
    if !skill.body.error_rules.is_empty() {
        p.push_str("## Error handling\n");
        for rule in &skill.body.error_rules {
            let _ = writeln!(p, "- When {}: {}", lower_first(&rule.error), rule.action);
        }
        p.push('\n');
    }
    for section in &skill.body.context {
        let _ = writeln!(p, "## {}\n{}\n", section.heading, section.text.trim());
    }
    if !skill.inputs.is_empty() {
        p.push_str("## Inputs\nThe user message carries these inputs as JSON:\n");
        for field in &skill.inputs {
            field_line(&mut p, field);
        }
        p.push('\n');
    }
    p.push_str("## Expected output\nWhen you are done, answer with one JSON object in a ```json fenced block");
    if skill.outputs.is_empty() {
        p.push_str(" (an empty object when there is nothing to return).\n");
    } else {
        p.push_str(" with these fields:\n");
        for field in &skill.outputs {
            field_line(&mut p, field);
        }
    }
    p.push_str(
        "\n## Rules of every run\n\
- You act for exactly one organization; the runtime supplies it. Never name or guess an organization in tool input.\n\
- Use only the tools provided. Reads run at once; writes may wait for human confirmation: when a tool result says a call awaits confirmation, do not retry it.\n\
- When a tool returns an error, read it and adapt; do not repeat the same call unchanged.\n\
- Never invent data the tools did not return.\n",
    );
    p
}

fn field_line(p: &mut String, field: &Field) {
    let required = if field.required { "required" } else { "optional" };
    let _ = write!(p, "- `{}` ({}, {required})", field.name.value, field.ty.value);
    if let Some(description) = &field.description {
        let _ = write!(p, ": {}", description.trim());
    }
    if let Some(values) = &field.enum_values {
        let values: Vec<String> = values.iter().map(ToString::to_string).collect();
        let _ = write!(p, " One of: {}.", values.join(", "));
    }
    p.push('\n');
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => c.to_lowercase().chain(chars).collect(),
        _ => s.to_owned(),
    }
}

/// Estimates tokens at about four characters each (Claude's tokenizer averages a little less
/// for English prose, so this errs on the high side).
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}
