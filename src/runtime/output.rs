//! The run's final output (SPEC §8 step 4): the JSON object in the model's last text — a fenced
//! ```` ```json ```` block, else the whole text when it is one JSON object — validated against
//! the artifact's `output_schema`; and the input's validation against `input_schema`.

use serde_json::Value;

/// Returns the JSON object in `text`: the last fenced `json` block that holds an object, else
/// the whole text when it is one object. `Err` says what is missing.
pub fn extract(text: &str) -> Result<Value, String> {
    let mut fenced = None;
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (lang, body_start) = match after.find('\n') {
            Some(nl) => (after[..nl].trim(), nl + 1),
            None => break,
        };
        let body = &after[body_start..];
        let Some(end) = body.find("```") else { break };
        if lang.is_empty() || lang.eq_ignore_ascii_case("json") {
            match serde_json::from_str::<Value>(body[..end].trim()) {
                Ok(value @ Value::Object(_)) => fenced = Some(Ok(value)),
                Ok(_) => fenced = fenced.or(Some(Err("the ```json block is not a JSON object".to_owned()))),
                Err(e) => fenced = fenced.or(Some(Err(format!("the ```json block is not valid JSON: {e}")))),
            }
        }
        rest = &body[end + 3..];
    }
    if let Some(found) = fenced {
        return found;
    }
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err("the final message holds no JSON object (expected a ```json block)".to_owned()),
    }
}

/// Returns each way `value` fails `schema`, as `path: message` lines (empty when valid).
pub fn validate(schema: &Value, value: &Value) -> Result<Vec<String>, String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("the schema is invalid: {e}"))?;
    Ok(validator
        .iter_errors(value)
        .map(|e| {
            let path = e.instance_path().to_string();
            format!("{}: {e}", if path.is_empty() { "/" } else { &path })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extracts_fenced_blocks_then_whole_text() {
        let text = "Here it is:\n```json\n{\"a\": 1}\n```\nand a later one\n```json\n{\"a\": 2}\n```\n";
        assert_eq!(extract(text).unwrap(), json!({"a": 2}));
        assert_eq!(extract("  {\"b\": true} ").unwrap(), json!({"b": true}));
        assert!(extract("no json here").is_err());
        assert!(extract("```json\n[1, 2]\n```").unwrap_err().contains("not a JSON object"));
        assert!(extract("```json\n{oops\n```").unwrap_err().contains("not valid JSON"));
        assert_eq!(extract("```\n{\"c\": 3}\n```").unwrap(), json!({"c": 3}));
        assert!(extract("```rust\n{\"c\": 3}\n```").is_err());
    }

    #[test]
    fn validation_names_each_problem() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"title": {"type": "string"}, "due": {"type": "string", "format": "date"}},
            "required": ["title", "due"]
        });
        assert!(validate(&schema, &json!({"title": "x", "due": "2026-01-02"})).unwrap().is_empty());
        let errors = validate(&schema, &json!({"title": 3, "due": "soon"})).unwrap();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("/title:")), "{errors:?}");
        let errors = validate(&schema, &json!({})).unwrap();
        assert!(errors.iter().any(|e| e.contains("\"title\" is a required property")), "{errors:?}");
    }
}
