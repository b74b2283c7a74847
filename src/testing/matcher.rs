//! Output assertions: paths into a run's output (`a.b`, `a[0]`, `a.b[2].c`, `$`) and the
//! matchers a test file applies to the value found there (SPEC §10).

use std::fmt;
use std::ops::Range;

use serde_json::Value;

use crate::skill::yaml::{self, Node};

/// One step of an output path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path into the output; no steps is `$`, the whole output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPath {
    pub steps: Vec<Step>,
}

impl OutputPath {
    /// Parses `a.b`, `a[0]`, `a.b[2].c`, `$`, `$.a`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let rest = text.strip_prefix('$').map_or(text, |r| r.strip_prefix('.').unwrap_or(r));
        let mut steps = Vec::new();
        if rest.is_empty() {
            return if text.starts_with('$') { Ok(Self { steps }) } else { Err("the path is empty".to_owned()) };
        }
        let bytes = rest.as_bytes();
        let mut i = 0;
        let mut expect_key = true;
        while i < bytes.len() {
            match bytes[i] {
                b'[' => {
                    let close = rest[i..].find(']').ok_or("an `[` is not closed")? + i;
                    let index: usize = rest[i + 1..close]
                        .trim()
                        .parse()
                        .map_err(|_| format!("`[{}]` is not an index", &rest[i + 1..close]))?;
                    steps.push(Step::Index(index));
                    i = close + 1;
                    expect_key = false;
                }
                b'.' => {
                    if expect_key {
                        return Err("a `.` must follow a key or an index".to_owned());
                    }
                    i += 1;
                    expect_key = true;
                    if i == bytes.len() {
                        return Err("the path ends with `.`".to_owned());
                    }
                }
                _ => {
                    if !expect_key {
                        return Err(format!("expected `.` or `[` before `{}`", &rest[i..]));
                    }
                    let end = rest[i..].find(['.', '[']).map_or(rest.len(), |e| e + i);
                    steps.push(Step::Key(rest[i..end].to_owned()));
                    i = end;
                    expect_key = false;
                }
            }
        }
        Ok(Self { steps })
    }

    /// Returns the value at this path, or `None` when any step is missing.
    pub fn resolve<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        let mut at = value;
        for step in &self.steps {
            at = match step {
                Step::Key(k) => at.as_object()?.get(k)?,
                Step::Index(i) => at.as_array()?.get(*i)?,
            };
        }
        Some(at)
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("$");
        }
        for (n, step) in self.steps.iter().enumerate() {
            match step {
                Step::Key(k) if n == 0 => f.write_str(k)?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// One matcher applied to the value at a path.
#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Value),
    Contains(Value),
    Matches(regex::Regex),
    OneOf(Vec<Value>),
    Min(f64),
    Max(f64),
    Exists(bool),
    Length { min: Option<u64>, max: Option<u64> },
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Matcher::Matches(a), Matcher::Matches(b)) => a.as_str() == b.as_str(),
            _ => self.name() == other.name() && self.expected() == other.expected(),
        }
    }
}

/// The matcher names a test file may use.
pub const NAMES: &[&str] = &["equals", "contains", "matches", "one_of", "min", "max", "exists", "length"];

impl Matcher {
    /// Returns the matcher's name as written in test files.
    pub fn name(&self) -> &'static str {
        match self {
            Matcher::Equals(_) => "equals",
            Matcher::Contains(_) => "contains",
            Matcher::Matches(_) => "matches",
            Matcher::OneOf(_) => "one_of",
            Matcher::Min(_) => "min",
            Matcher::Max(_) => "max",
            Matcher::Exists(_) => "exists",
            Matcher::Length { .. } => "length",
        }
    }

    /// Returns what the matcher expects, as JSON (for reports).
    pub fn expected(&self) -> Value {
        match self {
            Matcher::Equals(v) | Matcher::Contains(v) => v.clone(),
            Matcher::Matches(r) => Value::String(r.as_str().to_owned()),
            Matcher::OneOf(vs) => Value::Array(vs.clone()),
            Matcher::Min(n) | Matcher::Max(n) => number(*n),
            Matcher::Exists(b) => Value::Bool(*b),
            Matcher::Length { min, max } => {
                let mut m = serde_json::Map::new();
                if let Some(min) = min {
                    m.insert("min".to_owned(), Value::from(*min));
                }
                if let Some(max) = max {
                    m.insert("max".to_owned(), Value::from(*max));
                }
                Value::Object(m)
            }
        }
    }

    /// Checks the value found at the path (`None`: nothing there); returns why it fails.
    pub fn check(&self, found: Option<&Value>) -> Result<(), String> {
        if let Matcher::Exists(want) = self {
            return match (found.is_some(), want) {
                (true, true) | (false, false) => Ok(()),
                (false, true) => Err("nothing is there".to_owned()),
                (true, false) => Err("a value is there".to_owned()),
            };
        }
        let Some(v) = found else { return Err("nothing is there".to_owned()) };
        match self {
            Matcher::Equals(want) => ok_if(json_eq(v, want), || "the values differ".to_owned()),
            Matcher::Contains(want) => ok_if(contains(v, want), || match v {
                Value::String(_) => "the string does not contain it".to_owned(),
                Value::Array(_) => "no element equals it".to_owned(),
                Value::Object(_) => "the object does not hold these keys and values".to_owned(),
                _ => format!("`contains` needs a string, a list or an object, found {}", kind(v)),
            }),
            Matcher::Matches(re) => match v.as_str() {
                Some(s) => ok_if(re.is_match(s), || "the string does not match".to_owned()),
                None => Err(format!("`matches` needs a string, found {}", kind(v))),
            },
            Matcher::OneOf(options) => {
                ok_if(options.iter().any(|o| json_eq(v, o)), || "it is none of the options".to_owned())
            }
            Matcher::Min(n) | Matcher::Max(n) => match v.as_f64() {
                Some(x) if matches!(self, Matcher::Min(_)) => ok_if(x >= *n, || format!("{x} is below {n}")),
                Some(x) => ok_if(x <= *n, || format!("{x} is above {n}")),
                None => Err(format!("`{}` needs a number, found {}", self.name(), kind(v))),
            },
            Matcher::Length { min, max } => {
                let len = match v {
                    Value::String(s) => s.chars().count() as u64,
                    Value::Array(a) => a.len() as u64,
                    _ => return Err(format!("`length` needs a string or a list, found {}", kind(v))),
                };
                if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
                    Err(format!("its length is {len}"))
                } else {
                    Ok(())
                }
            }
            Matcher::Exists(_) => unreachable!("handled above"),
        }
    }
}

fn ok_if(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}

/// Returns whether two JSON values are equal, numbers by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// `contains`: a substring of a string, an element of an array, a key/value subset of an object.
fn contains(v: &Value, want: &Value) -> bool {
    match (v, want) {
        (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
        (Value::Array(items), _) => items.iter().any(|i| json_eq(i, want)),
        (Value::Object(map), Value::Object(sub)) => sub.iter().all(|(k, w)| map.get(k).is_some_and(|x| json_eq(x, w))),
        _ => false,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Parses the matchers of one output path: a bare value (`equals`), or a mapping whose keys are
/// all matcher names. A mapping with no matcher key is a bare object (`equals`); one that mixes
/// both is an error, since a typo in a matcher name would otherwise compare silently.
pub fn parse(node: &Node) -> Result<Vec<Matcher>, (Range<usize>, String)> {
    let Some(entries) = node.as_map() else { return Ok(vec![Matcher::Equals(node.to_json())]) };
    let is_matcher = |k: &Node| k.as_str().is_some_and(|s| NAMES.contains(&s));
    let matchers = entries.iter().filter(|(k, _)| is_matcher(k)).count();
    if matchers == 0 {
        return Ok(vec![Matcher::Equals(node.to_json())]);
    }
    if matchers < entries.len() {
        let (k, _) = entries.iter().find(|(k, _)| !is_matcher(k)).expect("some key is not a matcher");
        let name = k.as_str().unwrap_or_default();
        let hint = crate::text::did_you_mean(name, NAMES.iter().copied())
            .map_or_else(|| format!("matchers: {}", NAMES.join(", ")), |m| format!("did you mean `{m}`?"));
        return Err((
            k.span.clone(),
            format!("unknown matcher `{name}` ({hint}; to compare a whole object, write it under `equals:`)"),
        ));
    }
    entries.iter().map(|(k, v)| matcher(k.as_str().unwrap_or_default(), v)).collect()
}

fn matcher(name: &str, v: &Node) -> Result<Matcher, (Range<usize>, String)> {
    let err = |m: String| Err((v.span.clone(), m));
    let num = |v: &Node| match &v.value {
        yaml::Value::Int(i) => Some(*i as f64),
        yaml::Value::Float(f) => Some(*f),
        _ => None,
    };
    match name {
        "equals" => Ok(Matcher::Equals(v.to_json())),
        "contains" => Ok(Matcher::Contains(v.to_json())),
        "matches" => match v.as_str() {
            Some(s) => regex::Regex::new(s)
                .map(Matcher::Matches)
                .or_else(|e| err(format!("`matches` is not a valid regex: {e}"))),
            None => err("`matches` takes a regex string".to_owned()),
        },
        "one_of" => match v.to_json() {
            Value::Array(options) if !options.is_empty() => Ok(Matcher::OneOf(options)),
            _ => err("`one_of` takes a non-empty list of values".to_owned()),
        },
        "min" | "max" => match num(v) {
            Some(n) if name == "min" => Ok(Matcher::Min(n)),
            Some(n) => Ok(Matcher::Max(n)),
            None => err(format!("`{name}` takes a number")),
        },
        "exists" => match v.value {
            yaml::Value::Bool(b) => Ok(Matcher::Exists(b)),
            _ => err("`exists` takes `true` or `false`".to_owned()),
        },
        "length" => {
            let bound = |key: &str| -> Result<Option<u64>, (Range<usize>, String)> {
                match v.get(key) {
                    None => Ok(None),
                    Some(n) => match n.value {
                        yaml::Value::Int(i) if i >= 0 => Ok(Some(i as u64)),
                        _ => Err((n.span.clone(), format!("`length.{key}` takes a whole number"))),
                    },
                }
            };
            match &v.value {
                yaml::Value::Int(i) if *i >= 0 => Ok(Matcher::Length { min: Some(*i as u64), max: Some(*i as u64) }),
                yaml::Value::Map(entries) => {
                    if let Some((k, _)) = entries.iter().find(|(k, _)| !matches!(k.as_str(), Some("min" | "max"))) {
                        return Err((k.span.clone(), "`length` takes `min` and `max`".to_owned()));
                    }
                    Ok(Matcher::Length { min: bound("min")?, max: bound("max")? })
                }
                _ => err("`length` takes `{min, max}` or a whole number".to_owned()),
            }
        }
        _ => unreachable!("only matcher names reach here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(s: &str) -> OutputPath {
        OutputPath::parse(s).unwrap()
    }

    fn matchers(yaml_text: &str) -> Result<Vec<Matcher>, String> {
        let node = yaml::load(yaml_text, 0..yaml_text.len()).unwrap();
        parse(&node).map_err(|(_, m)| m)
    }

    #[test]
    fn paths_parse_resolve_and_display() {
        let out = json!({"a": {"b": [1, {"c": "x"}, 3]}, "k": true});
        assert_eq!(path("a.b[1].c").resolve(&out), Some(&json!("x")));
        assert_eq!(path("a.b[2]").resolve(&out), Some(&json!(3)));
        assert_eq!(path("$").resolve(&out), Some(&out));
        assert_eq!(path("$.k").resolve(&out), Some(&json!(true)));
        assert_eq!(path("a.b[9]").resolve(&out), None);
        assert_eq!(path("a.x").resolve(&out), None);
        assert_eq!(path("a.b[1].c").to_string(), "a.b[1].c");
        assert_eq!(path("$").to_string(), "$");
        for bad in ["", "a..b", "a[x]", "a[1", ".a", "a.", "a[0]b"] {
            assert!(OutputPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_matcher_passes_and_fails() {
        let cases: &[(&str, Value, bool)] = &[
            ("equals: {a: 1}", json!({"a": 1.0}), true),
            ("equals: {a: 1}", json!({"a": 1, "b": 2}), false),
            ("contains: Spring", json!("The Spring video"), true),
            ("contains: Spring", json!("Autumn"), false),
            ("contains: 2", json!([1, 2]), true),
            ("contains: {a: 1}", json!({"a": 1, "b": 2}), true),
            ("contains: {a: 2}", json!({"a": 1}), false),
            ("matches: '^B-\\d+$'", json!("B-12"), true),
            ("matches: '^B-\\d+$'", json!("B-x"), false),
            ("one_of: [draft, ready]", json!("ready"), true),
            ("one_of: [draft, ready]", json!("gone"), false),
            ("min: 1", json!(1), true),
            ("min: 1", json!(0.5), false),
            ("max: 3", json!(4), false),
            ("{min: 1, max: 3}", json!(2), true),
            ("length: {min: 1, max: 2}", json!([1, 2]), true),
            ("length: {min: 3}", json!("ab"), false),
            ("length: 2", json!("ab"), true),
            ("exists: true", json!(null), true),
        ];
        for (m, value, pass) in cases {
            let ms = matchers(m).unwrap();
            let ok = ms.iter().all(|x| x.check(Some(value)).is_ok());
            assert_eq!(ok, *pass, "{m} on {value}");
        }
        assert!(matchers("exists: false").unwrap()[0].check(None).is_ok());
        assert_eq!(matchers("exists: true").unwrap()[0].check(None).unwrap_err(), "nothing is there");
        assert_eq!(matchers("contains: x").unwrap()[0].check(None).unwrap_err(), "nothing is there");
    }

    #[test]
    fn bare_values_and_objects_are_equals_and_mixed_keys_are_refused() {
        assert_eq!(matchers("Spring").unwrap(), vec![Matcher::Equals(json!("Spring"))]);
        assert_eq!(matchers("{title: x}").unwrap(), vec![Matcher::Equals(json!({"title": "x"}))]);
        let err = matchers("{contains: x, equal: y}").unwrap_err();
        assert!(err.starts_with("unknown matcher `equal` (did you mean `equals`?"), "{err}");
        assert!(matchers("matches: '['").unwrap_err().contains("not a valid regex"));
        assert!(matchers("min: abc").is_err());
        assert!(matchers("one_of: []").is_err());
    }
}
