//! The typed model of skills and personas, built from the frontmatter by `skill::parse`.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use serde::Serialize;

use super::body::Body;
use crate::tools::Action;

/// A value with the byte range of the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(value: T, span: Range<usize>) -> Self {
        Self { value, span }
    }
}

/// A skill's lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Draft,
    Active,
    Deprecated,
    Disabled,
}

impl Status {
    /// Every status, in order.
    pub const ALL: [Status; 4] = [Status::Draft, Status::Active, Status::Deprecated, Status::Disabled];

    /// Returns the status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Deprecated => "deprecated",
            Status::Disabled => "disabled",
        }
    }
}

/// What starts a skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    Event(String),
    Schedule(String),
}

/// The base of an input or output type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BaseType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Date,
    Datetime,
    /// An ERP entity type such as `Brief`.
    Entity(String),
}

/// An input or output type: a base type, possibly a list of it (`Brief[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldType {
    pub base: BaseType,
    pub list: bool,
}

impl FieldType {
    /// The primitive type names.
    pub const PRIMITIVES: [&'static str; 8] =
        ["string", "number", "integer", "boolean", "object", "array", "date", "datetime"];

    /// Parses a type name, given the entity names the project knows.
    pub fn parse(s: &str, entities: &[&str]) -> Option<FieldType> {
        let (base, list) = match s.strip_suffix("[]") {
            Some(inner) => (inner, true),
            None => (s, false),
        };
        let base = match base {
            "string" => BaseType::String,
            "number" => BaseType::Number,
            "integer" => BaseType::Integer,
            "boolean" => BaseType::Boolean,
            "object" => BaseType::Object,
            "array" => BaseType::Array,
            "date" => BaseType::Date,
            "datetime" => BaseType::Datetime,
            entity if entities.contains(&entity) => BaseType::Entity(entity.to_owned()),
            _ => return None,
        };
        Some(FieldType { base, list })
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = match &self.base {
            BaseType::String => "string",
            BaseType::Number => "number",
            BaseType::Integer => "integer",
            BaseType::Boolean => "boolean",
            BaseType::Object => "object",
            BaseType::Array => "array",
            BaseType::Date => "date",
            BaseType::Datetime => "datetime",
            BaseType::Entity(name) => name,
        };
        write!(f, "{base}{}", if self.list { "[]" } else { "" })
    }
}

/// One input or output of a skill.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: Spanned<String>,
    pub ty: Spanned<FieldType>,
    pub required: bool,
    pub description: Option<String>,
    pub enum_values: Option<Vec<serde_json::Value>>,
    pub default: Option<serde_json::Value>,
    /// The whole field entry.
    pub span: Range<usize>,
}

/// A dependency on another skill, `id` or `id@REQ`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub id: String,
    pub req: Option<semver::VersionReq>,
    /// The whole entry as written.
    pub span: Range<usize>,
    /// The id part of the entry.
    pub id_span: Range<usize>,
}

/// A permission, `resource:action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub resource: String,
    pub action: Action,
    pub span: Range<usize>,
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.resource, self.action.as_str())
    }
}

/// A skill's own limits; each may only tighten the project's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SkillLimits {
    pub max_turns: Option<u32>,
    pub max_wall_secs: Option<u64>,
    pub max_cost_usd: Option<f64>,
    pub max_output_tokens: Option<u64>,
    pub t1: Option<u32>,
    pub t2: Option<u32>,
    pub t3: Option<u32>,
}

/// A parsed skill file.
#[derive(Debug, Clone, PartialEq)]
pub struct Skill {
    pub path: PathBuf,
    pub id: Spanned<String>,
    /// An explicit `name`, else the body's title, else the id.
    pub name: String,
    pub version: Spanned<semver::Version>,
    pub status: Status,
    pub category: String,
    pub description: String,
    pub triggers: Vec<Spanned<Trigger>>,
    pub inputs: Vec<Field>,
    pub outputs: Vec<Field>,
    pub dependencies: Vec<Dependency>,
    pub permissions: Vec<Permission>,
    pub limits: SkillLimits,
    /// The span of the `limits` mapping, if present.
    pub limits_span: Option<Range<usize>>,
    /// Kept from an imported Agent Skill (SPEC §3, §11); never read by the runtime.
    pub license: Option<String>,
    /// Kept from an imported Agent Skill: the environment it expects.
    pub compatibility: Option<String>,
    /// Kept from an imported Agent Skill: string keys and values, in file order.
    pub metadata: Vec<(String, String)>,
    /// Kept from an imported Agent Skill; agentb grants tools only from `permissions`.
    pub allowed_tools: Vec<String>,
    pub body: Body,
    /// The byte offset where the body starts.
    pub body_offset: usize,
    /// sha256 of the file's bytes, hex.
    pub source_hash: String,
}

/// A parsed persona file.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    pub path: PathBuf,
    pub id: Spanned<String>,
    pub name: String,
    pub allowed_skills: Vec<Spanned<String>>,
    pub model: Option<String>,
    pub description: Option<String>,
    /// The body: the persona's system prompt.
    pub prompt: String,
    pub source_hash: String,
}

/// Returns whether `id` is a valid skill or persona id.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Returns the closest valid id: lowercase, `_` and spaces to `-` (used by `--fix`).
pub fn normalize_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.trim().chars() {
        let c = if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("brief-creator"));
        assert!(is_valid_id("q3-report"));
        assert!(!is_valid_id("Brief"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("3a"));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert_eq!(normalize_id("Resource_Scanner"), "resource-scanner");
    }

    #[test]
    fn field_types() {
        let entities = ["Brief"];
        assert_eq!(FieldType::parse("string[]", &entities).unwrap().to_string(), "string[]");
        assert_eq!(FieldType::parse("Brief", &entities).unwrap().base, BaseType::Entity("Brief".into()));
        assert!(FieldType::parse("Spaceship", &entities).is_none());
        assert!(FieldType::parse("string[][]", &entities).is_none());
    }
}
