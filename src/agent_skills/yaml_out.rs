//! Writing YAML that both agentb's parser and the Agent Skills validator (`strictyaml`) read
//! back to the exact same values: block style only, plain scalars only where no YAML reader
//! could take them for anything but that string, double quotes with escapes otherwise, and never
//! the text `---` (the validator splits a `SKILL.md` at its first two `---`).

use std::fmt::Write as _;
use std::sync::LazyLock;

use serde_json::Value;

/// Text a YAML 1.1 or 1.2 reader could resolve to a number, a boolean, null or a date.
static NOT_A_STRING: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?ix)^(
            [-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)(e[-+]?[0-9]+)?
          | [-+]?0x[0-9a-f_]+ | [-+]?0o?[0-7_]+ | [-+]?0b[01_]+
          | [-+]?\.(inf|infinity) | \.nan
          | [0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?
          | true|false|yes|no|on|off|y|n|null|~
          | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
        )$",
    )
    .expect("the pattern is valid")
});

/// Returns `s` as a YAML scalar: plain when that is unambiguous, else double-quoted.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) { s.to_owned() } else { quoted(s) }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    !"-?:,[]{}#&*!|>'\"%@` ".contains(first)
        && s.trim() == s
        && !s.chars().any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.contains("---")
        && !NOT_A_STRING.is_match(s)
}

/// Returns `s` double-quoted, with escapes for quotes, backslashes, control characters, the
/// characters some readers take for line breaks, and the third `-` of any `---`.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut dashes = 0;
    for c in s.chars() {
        if c == '-' {
            dashes += 1;
            if dashes == 3 {
                out.push_str("\\x2d");
                dashes = 0;
                continue;
            }
        } else {
            dashes = 0;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `key: value` at `indent`, with mappings and lists in block style.
pub fn entry(out: &mut String, indent: usize, key: &str, value: &Value) {
    pad(out, indent);
    out.push_str(&scalar(key));
    out.push(':');
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            for (k, v) in map {
                entry(out, indent + 2, k, v);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
        v => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

/// Writes one `- item` of a block list at `indent`.
fn list_item(out: &mut String, indent: usize, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            // The entries at `indent + 2`, the first one moved up onto the `- ` line.
            let mut inner = String::new();
            for (k, v) in map {
                entry(&mut inner, indent + 2, k, v);
            }
            pad(out, indent);
            out.push_str("- ");
            out.push_str(&inner[indent + 2..]);
        }
        Value::Array(items) if !items.is_empty() => {
            pad(out, indent);
            out.push_str("-\n");
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
        v => {
            pad(out, indent);
            out.push_str("- ");
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

/// Returns a scalar or an empty collection on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => scalar(s),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Reads `key: value` back with agentb's own YAML loader.
    fn read_back(yaml: &str) -> serde_json::Value {
        crate::skill::yaml::load(yaml, 0..yaml.len()).unwrap().to_json()
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        let strings = [
            "plain words",
            "1.0.0",
            "1.0",
            "10",
            "true",
            "No",
            "null",
            "~",
            "2024-01-01",
            "a: b",
            "a #b",
            "ends:",
            "- dash",
            "[flow]",
            "{x}",
            "'single'",
            "\"double\"",
            " lead",
            "trail ",
            "line\nbreak",
            "tab\there",
            "back\\slash",
            "a --- b ---- c",
            "é ü 漢字 🚀",
            "\u{2028}",
            "",
            "@at",
            "%pct",
            "*star",
            "&amp",
            "!bang",
            "|pipe",
            ">gt",
            "`tick",
        ];
        for s in strings {
            let mut out = String::new();
            entry(&mut out, 0, "k", &json!(s));
            assert!(!out.contains("---"), "{out}");
            assert_eq!(read_back(&out), json!({ "k": s }), "{out}");
        }
    }

    #[test]
    fn collections_are_block_style() {
        let value = json!({"triggers": [{"event": "manual_invoke"}], "inputs": [{"name": "a", "type": "string", "required": true}], "limits": {"max_turns": 8, "max_cost_usd": 0.5}, "empty": [], "nested": [[1, 2], []]});
        let mut out = String::new();
        for (k, v) in value.as_object().unwrap() {
            entry(&mut out, 0, k, v);
        }
        assert!(
            out.starts_with(
                "triggers:\n  - event: manual_invoke\ninputs:\n  - name: a\n    type: string\n    required: true\n"
            ),
            "{out}"
        );
        assert_eq!(read_back(&out), value, "{out}");
    }
}
