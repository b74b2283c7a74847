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
    load_with(text, range, true)
}

fn load_with(text: &str, range: Range<usize>, direct: bool) -> Result<Node, YamlProblem> {
    let yaml = &text[range.clone()];
    let base = range.start;
    let map = CharToByte::new(yaml);
    let converter = Converter { yaml, base, map };
    let cheap = within_budget_cheaply(yaml);
    if direct
        && cheap
        && let Some(result) = converter.load_direct()
    {
        return result;
    }
    if !cheap && let Some(message) = budget_breach(yaml) {
        return Err(YamlProblem::Limits { offset: base, message });
    }
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(MAX_NODES);
    let mut parser = Parser::new_from_str(yaml);
    let scan = parser.load(&mut loader, false);
    if let Some(e) = scan.err().or_else(|| loader.error().cloned()) {
        return Err(converter.problem(&e));
    }
    let Some(doc) = loader.into_documents().into_iter().next() else {
        return Ok(Node { span: base..base, value: Value::Null });
    };
    converter.convert(&doc, 0)
}

/// Builds [`Node`]s straight from the parser's events, for frontmatter that passed
/// [`within_budget_cheaply`]: no `MarkedYaml` tree, no hashed mappings, no second walk. It
/// produces what loading through `MarkedYaml` and [`Converter::convert`] would (spans of
/// collections run from their start event to their end event, as the loader's do), and gives up
/// on anything it does not model (an anchor, alias or tag, a non-scalar or repeated key, a
/// document that is not exactly one node, excess depth) so the general path decides.
struct Direct<'c> {
    converter: &'c Converter<'c>,
    stack: Vec<Frame>,
    root: Option<Node>,
    gave_up: bool,
}

enum Frame {
    Seq { start: usize, items: Vec<Node> },
    Map { start: usize, entries: Vec<(Node, Node)>, key: Option<Node>, keys: Vec<(String, ScalarStyle)> },
}

impl Direct<'_> {
    fn insert(&mut self, node: Node, key: Option<(String, ScalarStyle)>) {
        if self.stack.len() > MAX_DEPTH {
            self.gave_up = true;
            return;
        }
        match self.stack.last_mut() {
            None if self.root.is_none() => self.root = Some(node),
            None => self.gave_up = true,
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key: pending, keys, .. }) => match pending.take() {
                Some(k) => entries.push((k, node)),
                None => match key {
                    // The loader compares keys as written (text and quoting).
                    Some(key) if !keys.contains(&key) => {
                        keys.push(key);
                        *pending = Some(node);
                    }
                    _ => self.gave_up = true,
                },
            },
        }
    }
}

impl<'input> saphyr_parser::SpannedEventReceiver<'input> for Direct<'_> {
    fn on_event(&mut self, ev: saphyr_parser::Event<'input>, span: saphyr_parser::Span) {
        use saphyr_parser::Event;
        if self.gave_up {
            return;
        }
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
            Event::DocumentEnd => self.gave_up |= self.root.is_none() || !self.stack.is_empty(),
            Event::Alias(_) => self.gave_up = true,
            Event::Scalar(text, style, anchor, tag) => {
                if anchor > 0 || tag.is_some() {
                    self.gave_up = true;
                    return;
                }
                let node = Node {
                    span: self.converter.span_of(span.start.index(), span.end.index()),
                    value: scalar(&text, style, None),
                };
                self.insert(node, Some((text.into_owned(), style)));
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if anchor > 0 || tag.is_some() => {
                self.gave_up = true;
            }
            Event::SequenceStart(..) => self.stack.push(Frame::Seq { start: span.start.index(), items: Vec::new() }),
            Event::MappingStart(..) => self.stack.push(Frame::Map {
                start: span.start.index(),
                entries: Vec::new(),
                key: None,
                keys: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let end = span.start.index();
                let node = match self.stack.pop() {
                    Some(Frame::Seq { start, items }) => {
                        Node { span: self.converter.span_of(start, end), value: Value::Seq(items) }
                    }
                    Some(Frame::Map { start, entries, key: None, .. }) => {
                        Node { span: self.converter.span_of(start, end), value: Value::Map(entries) }
                    }
                    _ => {
                        self.gave_up = true;
                        return;
                    }
                };
                // A collection as a mapping key is left to the general path.
                self.insert(node, None);
            }
        }
    }
}

/// Frontmatter at most this long may skip the event-level budget check (it then has fewer than
/// [`MAX_NODES`] nodes: every node takes at least one byte).
const FAST_PATH_BYTES: usize = 16 * 1024;

/// Returns whether `yaml` certainly stays within every budget, judged from its bytes alone, so
/// the event-level check (a second full parse) can be skipped. It is conservative: the text is
/// small, has no anchor, tag, directive, document marker or tab, at most [`MAX_ALIASES`]
/// alias-like `*name` (fewer than the alias-to-anchor ratio check needs), and an upper bound of
/// its nesting depth is under [`MAX_DEPTH`]. A block collection nested in another starts at a
/// greater column, or at the same column once (a sequence as a mapping value), so block depth is
/// at most twice the deepest content column plus one; every flow collection needs a `[` or `{`.
/// Hand-written skills pass; anything unusual takes the full check.
fn within_budget_cheaply(yaml: &str) -> bool {
    if yaml.len() > FAST_PATH_BYTES {
        return false;
    }
    let bytes = yaml.as_bytes();
    let (mut flow_opens, mut aliases) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        let named = || bytes.get(i + 1).is_some_and(|n| !matches!(n, b' ' | b'\n' | b'\r'));
        match b {
            b'\t' | b'!' | b'%' => return false,
            // An anchor (`&name`; `R & D` is plain text) may be expanded by aliases.
            b'&' if named() => return false,
            // Without anchors an alias expands to nothing (the loader refuses it); only their
            // number is budgeted. `"0 */4 * * *"` counts too, which only errs on the safe side.
            b'*' if named() => aliases += 1,
            b'[' | b'{' => flow_opens += 1,
            _ => {}
        }
    }
    if aliases > MAX_ALIASES {
        return false;
    }
    let mut max_column = 0usize;
    for line in yaml.split('\n') {
        if line.starts_with("---") || line.starts_with("...") {
            return false;
        }
        let line = line.as_bytes();
        let mut column = 0;
        loop {
            while line.get(column) == Some(&b' ') {
                column += 1;
            }
            // Block indicators (`- `, `? `, `: `) open a nested node further right.
            let indicator = matches!(line.get(column), Some(b'-' | b'?' | b':'))
                && matches!(line.get(column + 1), None | Some(b' ' | b'\r'));
            if !indicator {
                break;
            }
            column += 1;
        }
        max_column = max_column.max(column);
    }
    2 * (max_column + 1) + flow_opens + 2 <= MAX_DEPTH
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
        self.span_of(node.span.start.index(), node.span.end.index())
    }

    /// Returns the byte span of the characters `start..end` of the frontmatter.
    fn span_of(&self, start: usize, end: usize) -> Range<usize> {
        let start = self.map.byte(start);
        let end = self.map.byte(end).max(start);
        // Container spans run into the following white space; trim it.
        let end = start + self.yaml[start..end].trim_end().len();
        self.base + start..self.base + end
    }

    /// Returns the problem a scan or load error stands for.
    fn problem(&self, e: &saphyr_parser::ScanError) -> YamlProblem {
        let message = e.info().to_owned();
        let offset = self.base + self.map.byte(e.marker().index());
        // Alias expansion ("... maximum node budget") and nesting ("recursion limit exceeded")
        // caps are resource limits, not syntax errors.
        let limit = (message.contains("alias") && (message.contains("limit") || message.contains("budget")))
            || message.contains("recursion limit");
        if limit { YamlProblem::Limits { offset, message } } else { YamlProblem::Syntax { offset, message } }
    }

    /// Loads through [`Direct`]; `None` when it gave up.
    fn load_direct(&self) -> Option<Result<Node, YamlProblem>> {
        let mut direct = Direct { converter: self, stack: Vec::new(), root: None, gave_up: false };
        let mut parser = Parser::new_from_str(self.yaml);
        if let Err(e) = parser.load(&mut direct, false) {
            return Some(Err(self.problem(&e)));
        }
        if direct.gave_up || !direct.stack.is_empty() {
            return None;
        }
        direct.root.map(Ok)
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

    #[test]
    fn loading_from_events_matches_loading_through_marked_yaml() {
        let mut inputs: Vec<String> = [
            "a: 1.0\nb: \"1.0\"\nc: true\nd: 3\ne:\n",
            "id: brief-creator\nname: \"Café\"\ntags: [a, 'b', \"c\"]\nnested:\n  - x: 1\n    y: [1, {z: 2}]\n  - - deep\n    - er\n",
            "a: 1\na: 2\n",
            "a: 1\n\"a\": 2\n",
            "? [complex]\n: key\n",
            "text: |\n  block\n  scalar\nfolded: >\n  more\n  text\n# comment\nend: ~\n",
            "crlf: 1\r\nlist:\r\n  - a\r\n  - b\r\n",
            "",
            "   \n",
            "just a scalar\n",
            "- a\n- b\n",
            "a: [1, 2\n",
            "a: *nowhere\n",
            "a:   trailing   \nb: {}\nc: []\n",
            "über: ünïcödé\nkey with spaces: value\n\"quoted key\": 'single'\n",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/skills")).unwrap() {
            let path = file.unwrap().path();
            if !path.is_file() {
                continue; // skills/cassettes/
            }
            let text = std::fs::read_to_string(path).unwrap();
            if let Ok(parts) = crate::skill::source::split(&text) {
                inputs.push(text[parts.yaml].to_owned());
            }
        }
        let mut direct = 0;
        for input in &inputs {
            let text = format!("---\n{input}");
            let range = 4..text.len();
            assert_eq!(load_with(&text, range.clone(), true), load_with(&text, range, false), "{input}");
            let converter = Converter { yaml: &text[4..], base: 4, map: CharToByte::new(&text[4..]) };
            direct += usize::from(converter.load_direct().is_some());
        }
        // The example skills and most of the cases above take the direct path.
        assert!(direct >= 15, "{direct} of {}", inputs.len());
    }

    #[test]
    fn the_cheap_budget_check_is_conservative() {
        let skill = "id: a\ntriggers:\n  - event: x\n  - schedule: \"0 */4 * * *\"\ninputs:\n  - name: p\n    enum: [low, high]\ndescription: R & D\n";
        assert!(within_budget_cheaply(skill));
        let compact = format!("{}x\n", "- ".repeat(40));
        let block: String = (0..40).map(|i| " ".repeat(i) + &format!("k{i}:\n")).collect();
        let flow = format!("a: {}{}\n", "[".repeat(31), "]".repeat(31));
        let aliases = "a: [".to_owned() + &"*x, ".repeat(MAX_ALIASES + 1) + "]\n";
        let inputs = [
            "a: &x 1\nb: *x\n".to_owned(),
            aliases,
            "a: !!str 1\n".to_owned(),
            "a: 1\n--- \nb: 2\n".to_owned(),
            "a:\n\t- 1\n".to_owned(),
            "x".repeat(FAST_PATH_BYTES + 1),
            compact,
            block,
            flow,
        ];
        for input in &inputs {
            assert!(!within_budget_cheaply(input), "{input:.60}");
        }
        // Whatever passes the cheap check never breaches the full one.
        let deep_ok: String = (0..5).map(|i| "  ".repeat(i) + &format!("k{i}:\n")).collect();
        for input in [skill.to_owned(), deep_ok, format!("a: {}{}\n", "[".repeat(20), "]".repeat(20))] {
            assert!(within_budget_cheaply(&input), "{input}");
            assert_eq!(budget_breach(&input), None, "{input}");
        }
    }
}
