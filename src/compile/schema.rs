//! JSON Schema 2020-12 documents for a skill's inputs and outputs.

use serde_json::{Map, Value, json};

use crate::skill::model::{BaseType, Field, FieldType};

/// The JSON Schema dialect artifacts use.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Returns the schema of an object with these fields. Inputs are closed
/// (`additionalProperties: false`) so a misspelled input is an error; outputs are open.
pub fn object(fields: &[Field], closed: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mut schema = type_schema(&field.ty.value);
        if let Some(obj) = schema.as_object_mut() {
            if let Some(description) = &field.description {
                obj.insert("description".into(), json!(description));
            }
            if let Some(values) = &field.enum_values {
                obj.insert("enum".into(), Value::Array(values.clone()));
            }
            if let Some(default) = &field.default {
                obj.insert("default".into(), default.clone());
            }
        }
        properties.insert(field.name.value.clone(), schema);
        if field.required {
            required.push(json!(field.name.value));
        }
    }
    let mut schema = json!({
        "$schema": DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
    });
    if closed {
        schema["additionalProperties"] = json!(false);
    }
    schema
}

/// Returns the schema of one type.
pub fn type_schema(ty: &FieldType) -> Value {
    let base = match &ty.base {
        BaseType::String => json!({"type": "string"}),
        BaseType::Number => json!({"type": "number"}),
        BaseType::Integer => json!({"type": "integer"}),
        BaseType::Boolean => json!({"type": "boolean"}),
        BaseType::Object => json!({"type": "object"}),
        BaseType::Array => json!({"type": "array"}),
        BaseType::Date => json!({"type": "string", "format": "date"}),
        BaseType::Datetime => json!({"type": "string", "format": "date-time"}),
        BaseType::Entity(name) => json!({"type": "object", "title": name}),
    };
    if ty.list { json!({"type": "array", "items": base}) } else { base }
}
