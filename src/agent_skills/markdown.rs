//! The two edits import and export make to a skill's Markdown: shifting every heading one level
//! (down on import, so the source's `# Title` sits under agentb's sections; up on export), and
//! rewriting the relative links that point into the skill's folder (to `<id>/…` on import, back
//! on export). Both find headings and links with comrak, so `#` lines in code blocks and links
//! in code are left alone, and change only the characters they must.

use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::{Arena, Options};

/// One replacement of a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// Applies non-overlapping edits.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(text.len() + edits.len() * 8);
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A link destination as written in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination's bytes in the text (without `<` `>`).
    pub range: Range<usize>,
    pub dest: String,
}

struct Doc {
    line_starts: Vec<usize>,
}

impl Doc {
    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { line_starts }
    }

    /// Returns the byte offset of a 1-based line and column.
    fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let start = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(text.len());
        (start + column.saturating_sub(1)).min(text.len())
    }

    fn range(&self, text: &str, pos: Sourcepos) -> Range<usize> {
        let start = self.offset(text, pos.start.line, pos.start.column);
        let end = (self.offset(text, pos.end.line, pos.end.column) + 1).min(text.len());
        start..end.max(start)
    }
}

fn parse<'a>(arena: &'a Arena<'a>, text: &str) -> &'a AstNode<'a> {
    let mut options = Options::default();
    options.extension.table = true;
    comrak::parse_document(arena, text, &options)
}

/// Returns the edits that move every ATX heading `delta` levels (+1 down, -1 up). A level-6
/// heading moves down to seven `#`, which reads as text but comes back as a heading; moving up,
/// such a line becomes a heading again, and an `#` heading stays one.
pub fn shift_headings(text: &str, delta: i8) -> Vec<Edit> {
    let arena = Arena::new();
    let root = parse(&arena, text);
    let doc = Doc::new(text);
    let mut edits = Vec::new();
    for node in root.descendants() {
        let data = node.data();
        let (level, paragraph) = match &data.value {
            NodeValue::Heading(h) if !h.setext => (h.level, false),
            NodeValue::Paragraph if delta < 0 => (7, true),
            _ => continue,
        };
        let start = doc.offset(text, data.sourcepos.start.line, data.sourcepos.start.column);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let Some(hash) = text[start..line_end].find('#').map(|i| start + i) else { continue };
        if paragraph {
            // Only a paragraph that starts with exactly seven `#` and a space: a shifted `######`.
            let rest = &text[hash..line_end];
            let hashes = rest.len() - rest.trim_start_matches('#').len();
            if hash != start || hashes != 7 || !(rest.len() == 7 || rest[7..].starts_with([' ', '\t'])) {
                continue;
            }
        }
        if delta > 0 {
            edits.push(Edit { range: hash..hash, text: "#".to_owned() });
        } else if level > 1 {
            edits.push(Edit { range: hash..hash + 1, text: String::new() });
        }
    }
    edits
}

/// Returns the text of the first `#` heading, if the text has one.
pub fn first_title(text: &str) -> Option<String> {
    let arena = Arena::new();
    let root = parse(&arena, text);
    let heading = root.descendants().find(|n| matches!(&n.data().value, NodeValue::Heading(h) if h.level == 1))?;
    let mut out = String::new();
    for n in heading.descendants() {
        match &n.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    let out = out.trim().to_owned();
    if out.is_empty() { None } else { Some(out) }
}

/// Returns every inline link and image destination, and every link reference definition, as
/// written (autolinks and links in code are not links to files).
pub fn links(text: &str) -> Vec<Link> {
    let arena = Arena::new();
    let root = parse(&arena, text);
    let doc = Doc::new(text);
    let mut out = Vec::new();
    let mut code_lines: Vec<Range<usize>> = Vec::new();
    for node in root.descendants() {
        let data = node.data();
        match &data.value {
            NodeValue::Link(_) | NodeValue::Image(_) => {
                let range = doc.range(text, data.sourcepos);
                if let Some(link) = inline_destination(text, range) {
                    out.push(link);
                }
            }
            NodeValue::CodeBlock(_) | NodeValue::HtmlBlock(_) => {
                code_lines.push(data.sourcepos.start.line..data.sourcepos.end.line + 1);
            }
            _ => {}
        }
    }
    out.extend(definitions(text, &doc, &code_lines));
    out.sort_by_key(|l| l.range.start);
    out.dedup_by_key(|l| l.range.start);
    out
}

/// Finds the destination of an inline link `[text](dest "title")` that spans `range`.
fn inline_destination(text: &str, range: Range<usize>) -> Option<Link> {
    let slice = text.get(range.clone())?;
    if !slice.ends_with(')') {
        // A reference link (`[text][ref]`): its destination is in the definition.
        return None;
    }
    let open = slice.rfind("](")? + 2;
    let after = &slice[open..];
    let skipped = after.len() - after.trim_start_matches([' ', '\t', '\n']).len();
    let start = range.start + open + skipped;
    let rest = &text[start..range.end];
    let (dest_start, dest_len) = if let Some(inner) = rest.strip_prefix('<') {
        (start + 1, inner.find('>')?)
    } else {
        let mut depth = 0usize;
        let mut len = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    len = i;
                    break;
                }
                ')' => depth -= 1,
                c if c.is_whitespace() => {
                    len = i;
                    break;
                }
                _ => {}
            }
        }
        (start, len)
    };
    let range = dest_start..dest_start + dest_len;
    Some(Link { dest: text[range.clone()].to_owned(), range })
}

/// Finds link reference definitions `[label]: dest` outside code blocks (comrak keeps no node
/// for them). Footnote definitions (`[^1]: …`) are not links.
fn definitions(text: &str, doc: &Doc, code_lines: &[Range<usize>]) -> Vec<Link> {
    static DEFINITION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*(?:<([^>\n]*)>|(\S+))").expect("the pattern is valid")
    });
    let mut out = Vec::new();
    for (i, start) in doc.line_starts.iter().enumerate() {
        let line_no = i + 1;
        if code_lines.iter().any(|r| r.contains(&line_no)) {
            continue;
        }
        let end = text[*start..].find('\n').map_or(text.len(), |j| start + j);
        let line = &text[*start..end];
        if let Some(caps) = DEFINITION.captures(line)
            && let Some(m) = caps.get(2).or_else(|| caps.get(3))
        {
            let range = start + m.start()..start + m.end();
            out.push(Link { dest: m.as_str().to_owned(), range });
        }
    }
    out
}

/// Where a relative link points, seen from the skill's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Not a relative path (a URL, an anchor, an absolute path, empty).
    External,
    /// A path inside the folder: the bytes of `./` prefixes to keep, and the normalized path.
    Inside { prefix: usize, path: String },
    /// A path that leaves the folder with `..`.
    Outside,
}

/// Classifies a link destination.
pub fn target(dest: &str) -> Target {
    let has_scheme = dest
        .split_once(':')
        .is_some_and(|(scheme, _)| scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)));
    if dest.is_empty() || dest.starts_with(['#', '/', '\\', '?', '~']) || has_scheme {
        return Target::External;
    }
    let mut prefix = 0;
    while dest[prefix..].starts_with("./") {
        prefix += 2;
    }
    let path = dest[prefix..].split(['#', '?']).next().unwrap_or_default();
    let path = percent_decode(path);
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Outside;
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Target::External;
    }
    Target::Inside { prefix, path: parts.join("/") }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_shift_down_and_back_up_but_not_in_code() {
        let text = "# Title\n\ntext\n\n```bash\n# a comment\n```\n\n> ## Quoted\n\n###### Six\n\n- ## In a list\n";
        let down = apply(text, shift_headings(text, 1));
        assert_eq!(
            down,
            "## Title\n\ntext\n\n```bash\n# a comment\n```\n\n> ### Quoted\n\n####### Six\n\n- ### In a list\n"
        );
        assert_eq!(apply(&down, shift_headings(&down, -1)), text);
    }

    #[test]
    fn links_are_found_with_their_exact_destination() {
        let text = "See [a](references/a.md), ![img](<assets/my img.png> \"t\") and [b](https://x.io).\n\n`[c](code.md)`\n\n```\n[d](block.md)\n```\n\n[ref]: ./scripts/run.sh\n[^1]: note\n";
        let found: Vec<String> = links(text).into_iter().map(|l| l.dest).collect();
        assert_eq!(found, ["references/a.md", "assets/my img.png", "https://x.io", "./scripts/run.sh"]);
        for link in links(text) {
            assert_eq!(&text[link.range.clone()], link.dest);
        }
    }

    #[test]
    fn targets() {
        assert_eq!(target("references/a.md#x"), Target::Inside { prefix: 0, path: "references/a.md".into() });
        assert_eq!(target("./././a%20b.md"), Target::Inside { prefix: 6, path: "a b.md".into() });
        assert_eq!(target("../other/SKILL.md"), Target::Outside);
        assert_eq!(target("a/../../b"), Target::Outside);
        for external in ["https://x.io", "mailto:a@b.c", "#anchor", "/abs", ""] {
            assert_eq!(target(external), Target::External, "{external}");
        }
    }
}
