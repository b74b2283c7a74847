//! YAML frontmatter as a tree of values with exact byte spans.
//!
//! Limits come first: `serde-saphyr`'s budget check walks the event stream and refuses deep
//! nesting, alias bombs and node floods before anything is built. Then `saphyr` loads a
//! `MarkedYaml` (scalars unresolved, so quoting is known), which is converted into [`Node`]s
//! whose spans are byte offsets into the whole file (saphyr counts characters).

use std::borrow::Cow;
use std::ops::Range;

use saphyr::{MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::Parser;
use serde_saphyr::budget::{BudgetBreach, EnforcingPolicy, check_yaml_budget};
use serde_saphyr::granit_parser::ErrorKind;

/// Deepest nesting a frontmatter may have.
pub const MAX_DEPTH: usize = 32;
/// Most aliases (`*name`) a frontmatter may use.
pub const MAX_ALIASES: usize = 64;
/// Most nodes a frontmatter may have.
pub const MAX_NODES: usize = 20_000;

/// A YAML value with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

/// A YAML value. Mappings keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; `quoted` when written with quotes or as a block scalar.
    Str {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Returns the string if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Returns the entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Returns the items if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Returns the value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// Returns a short name of the value's kind, for messages ("a string", "a list").
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str { .. } => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Returns the scalar as text as it would read in YAML (for messages and JSON conversion).
    pub fn scalar_text(&self) -> Option<Cow<'_, str>> {
        match &self.value {
            Value::Null => Some(Cow::Borrowed("null")),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(f.to_string())),
            Value::Str { text, .. } => Some(Cow::Borrowed(text)),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Returns the value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str { text, .. } => J::String(text.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().map(Cow::into_owned).unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Why frontmatter YAML could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlProblem {
    /// A syntax error at a byte offset of the file.
    Syntax { offset: usize, message: String },
    /// A resource limit was hit (depth, aliases, nodes).
    Limits { offset: usize, message: String },
}

/// Loads `text[range]` as one YAML document; spans are byte offsets into `text`.
pub fn load(text: &str, range: Range<usize>) -> Result<Node, YamlProblem> {
    let yaml = &text[range.clone()];
    let base = range.start;
    if let Some(message) = budget_breach(yaml) {
        return Err(YamlProblem::Limits { offset: base, message });
    }
    let map = CharToByte::new(yaml);
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(MAX_NODES);
    let mut parser = Parser::new_from_str(yaml);
    let scan = parser.load(&mut loader, false);
    if let Some(e) = scan.err().or_else(|| loader.error().cloned()) {
        let message = e.info().to_owned();
        let offset = base + map.byte(e.marker().index());
        // Alias expansion ("... maximum node budget") and nesting ("recursion limit exceeded")
        // caps are resource limits, not syntax errors.
        let limit = (message.contains("alias") && (message.contains("limit") || message.contains("budget")))
            || message.contains("recursion limit");
        return Err(if limit {
            YamlProblem::Limits { offset, message }
        } else {
            YamlProblem::Syntax { offset, message }
        });
    }
    let Some(doc) = loader.into_documents().into_iter().next() else {
        return Ok(Node { span: base..base, value: Value::Null });
    };
    let converter = Converter { yaml, base, map };
    converter.convert(&doc, 0)
}

/// Runs the event-level budget check; returns a message when a limit was breached.
fn budget_breach(yaml: &str) -> Option<String> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_nodes = MAX_NODES;
    budget.max_documents = 1;
    budget.max_events = MAX_NODES * 4;
    let report = match check_yaml_budget(yaml, budget, EnforcingPolicy::AllContent) {
        Ok(report) => report,
        // Deep flow collections trip the scanner's own nesting cap before the depth budget.
        Err(e) if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) => {
            return Some(format!("frontmatter is nested deeper than {MAX_DEPTH} levels"));
        }
        // A syntax error is reported by the loader, which has the better message.
        Err(_) => return None,
    };
    Some(match report.breached? {
        BudgetBreach::Depth { .. } => {
            format!("frontmatter is nested deeper than {MAX_DEPTH} levels")
        }
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } | BudgetBreach::AliasAnchorRatio { .. } => {
            format!("frontmatter uses more than {MAX_ALIASES} anchors or aliases (alias expansion is limited)")
        }
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            format!("frontmatter has more than {MAX_NODES} values")
        }
        BudgetBreach::Documents { .. } => "frontmatter holds more than one YAML document".to_owned(),
        other => format!("frontmatter exceeds a YAML resource limit ({other:?})"),
    })
}

/// Converts saphyr's character indices to byte offsets.
struct CharToByte {
    /// Byte offset of every character, plus the end; empty when the text is ASCII.
    offsets: Vec<usize>,
    len: usize,
}

impl CharToByte {
    fn new(text: &str) -> Self {
        let offsets = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect()
        };
        Self { offsets, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.offsets.is_empty() {
            char_index.min(self.len)
        } else {
            self.offsets.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

struct Converter<'a> {
    yaml: &'a str,
    base: usize,
    map: CharToByte,
}

impl Converter<'_> {
    fn span(&self, node: &MarkedYaml) -> Range<usize> {
        let start = self.map.byte(node.span.start.index());
        let end = self.map.byte(node.span.end.index()).max(start);
        // Container spans run into the following white space; trim it.
        let end = start + self.yaml[start..end].trim_end().len();
        self.base + start..self.base + end
    }

    fn convert(&self, node: &MarkedYaml, depth: usize) -> Result<Node, YamlProblem> {
        let span = self.span(node);
        if depth > MAX_DEPTH {
            return Err(YamlProblem::Limits {
                offset: span.start,
                message: format!("frontmatter is nested deeper than {MAX_DEPTH} levels"),
            });
        }
        let value = match &node.data {
            YamlData::Representation(text, style, tag) => scalar(text, *style, tag.as_ref()),
            YamlData::Value(s) => from_scalar(s, false),
            YamlData::Sequence(items) => {
                Value::Seq(items.iter().map(|n| self.convert(n, depth + 1)).collect::<Result<_, _>>()?)
            }
            YamlData::Mapping(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((self.convert(k, depth + 1)?, self.convert(v, depth + 1)?)))
                    .collect::<Result<_, _>>()?,
            ),
            YamlData::Tagged(_, inner) => return self.convert(inner, depth + 1),
            YamlData::Alias(_) | YamlData::BadValue => Value::Null,
        };
        Ok(Node { span, value })
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, saphyr::Tag>>) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str { text: text.to_string(), quoted: true };
    }
    match Scalar::parse_from_cow_and_metadata(Cow::Borrowed(text), style, tag) {
        Some(s) => from_scalar(&s, false),
        None => Value::Str { text: text.to_string(), quoted: false },
    }
}

fn from_scalar(s: &Scalar<'_>, quoted: bool) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(text) => Value::Str { text: text.to_string(), quoted },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn load_all(text: &str) -> Result<Node, YamlProblem> {
        load(text, 0..text.len())
    }

    #[test]
    fn spans_are_bytes_into_the_file() {
        let text = "---\nname: \"Café\"\nid: après\n";
        let node = load(text, 4..text.len()).unwrap();
        let id = node.get("id").unwrap();
        assert_eq!(&text[id.span.clone()], "après");
        assert_eq!(&text[node.get("name").unwrap().span.clone()], "\"Café\"");
    }

    #[test]
    fn plain_scalars_resolve_and_quoted_stay_strings() {
        let node = load_all("a: 1.0\nb: \"1.0\"\nc: true\nd: 3\ne:\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Float(1.0));
        assert_eq!(node.get("b").unwrap().as_str(), Some("1.0"));
        assert_eq!(node.get("c").unwrap().value, Value::Bool(true));
        assert_eq!(node.get("d").unwrap().value, Value::Int(3));
        assert_eq!(node.get("e").unwrap().value, Value::Null);
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let err = load_all("a: [1, 2\n").unwrap_err();
        assert!(matches!(err, YamlProblem::Syntax { offset: 9, .. }), "{err:?}");
        let err = load_all("a: 1\na: 2\n").unwrap_err();
        assert!(matches!(&err, YamlProblem::Syntax { message, .. } if message.contains("duplicate")), "{err:?}");
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused() {
        let deep = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(load_all(&deep), Err(YamlProblem::Limits { .. })));
        let mut bomb =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for i in 0..9u8 {
            let (prev, next) = ((b'a' + i) as char, (b'b' + i) as char);
            let _ = writeln!(
                bomb,
                "{next}: &{next} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
            );
        }
        assert!(matches!(load_all(&bomb), Err(YamlProblem::Limits { .. })), "{:?}", load_all(&bomb));
    }
}
