//! The Markdown body of a skill, parsed with comrak into the sections agentb understands:
//! the title, Purpose, Founder Knowledge quotes, Process steps, Error Handling rows, and any
//! other section kept as context.

use comrak::nodes::{AstNode, ListType, NodeValue};
use comrak::{Arena, Options};
use serde::Serialize;

/// A skill body split into sections.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Body {
    /// The `# Title`, if any.
    pub title: Option<String>,
    /// The text of `## Purpose`; `None` when the section is missing.
    pub purpose: Option<String>,
    /// Each blockquote of `## Founder Knowledge`.
    pub knowledge: Vec<String>,
    /// The items of the first ordered list in `## Process`; `None` when the section is missing.
    pub process: Option<Vec<String>>,
    /// The rows of the `## Error Handling` table.
    pub error_rules: Vec<ErrorRule>,
    /// Every other `##` section, in order.
    pub context: Vec<Section>,
}

/// One row of the Error Handling table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRule {
    pub error: String,
    pub action: String,
}

/// A section kept as context: its heading and its Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

/// Parses a skill body.
pub fn parse(markdown: &str) -> Body {
    let arena = Arena::new();
    let mut options = Options::default();
    options.extension.table = true;
    let root = comrak::parse_document(&arena, markdown, &options);
    let lines: Vec<&str> = markdown.lines().collect();

    let mut body = Body::default();
    // Top-level blocks grouped under their `##` heading.
    let mut current: Option<(String, Vec<&AstNode<'_>>)> = None;
    let mut sections: Vec<(String, Vec<&AstNode<'_>>)> = Vec::new();
    for node in root.children() {
        let heading_level = match &node.data().value {
            NodeValue::Heading(h) => Some(h.level),
            _ => None,
        };
        match heading_level {
            Some(1) if body.title.is_none() && current.is_none() => body.title = Some(inline_text(node)),
            Some(2) => {
                if let Some(done) = current.take() {
                    sections.push(done);
                }
                current = Some((inline_text(node), Vec::new()));
            }
            _ => {
                if let Some((_, blocks)) = current.as_mut() {
                    blocks.push(node);
                }
            }
        }
    }
    if let Some(done) = current.take() {
        sections.push(done);
    }

    // The first `## Purpose` and `## Process` win; a later one is kept as context (an imported
    // skill's own `# Process`, shifted to `##`, follows the generated one).
    let mut seen: Vec<String> = Vec::new();
    for (heading, blocks) in sections {
        let name = normalize(&heading);
        let known = matches!(name.as_str(), "purpose" | "process");
        if known && seen.contains(&name) {
            body.context.push(Section { heading, text: raw_text(&blocks, &lines) });
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            "purpose" => body.purpose = Some(raw_text(&blocks, &lines)),
            "founder knowledge" => body
                .knowledge
                .extend(blocks.iter().filter(|b| is(b, |v| matches!(v, NodeValue::BlockQuote))).map(|b| quote_text(b))),
            "process" => {
                let steps = blocks
                    .iter()
                    .find(|b| is(b, |v| matches!(v, NodeValue::List(l) if l.list_type == ListType::Ordered)))
                    .map(|list| list.children().map(|item| item_text(item, &lines)).filter(|s| !s.is_empty()).collect())
                    .unwrap_or_default();
                body.process = Some(steps);
            }
            "error handling" => {
                for table in blocks.iter().filter(|b| is(b, |v| matches!(v, NodeValue::Table(_)))) {
                    for row in table.children().filter(|r| is(r, |v| matches!(v, NodeValue::TableRow(false)))) {
                        let cells: Vec<String> = row.children().map(inline_text).collect();
                        if let [error, action, ..] = cells.as_slice() {
                            body.error_rules.push(ErrorRule { error: error.clone(), action: action.clone() });
                        }
                    }
                }
            }
            _ => body.context.push(Section { heading, text: raw_text(&blocks, &lines) }),
        }
    }
    body
}

fn normalize(heading: &str) -> String {
    heading.trim().trim_end_matches(':').to_lowercase()
}

fn is<'a>(node: &'a AstNode<'a>, pred: impl Fn(&NodeValue) -> bool) -> bool {
    pred(&node.data().value)
}

/// Returns the plain text of a node's inline content.
fn inline_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for n in node.descendants() {
        match &n.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// Returns the Markdown source of a run of blocks.
fn raw_text<'a>(blocks: &[&'a AstNode<'a>], lines: &[&str]) -> String {
    let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
        return String::new();
    };
    let start = first.data().sourcepos.start.line;
    let end = last.data().sourcepos.end.line;
    slice_lines(lines, start, end).trim().to_owned()
}

/// Returns the text of a blockquote, without the `>` markers and surrounding quotes joined.
fn quote_text<'a>(node: &'a AstNode<'a>) -> String {
    let paragraphs: Vec<String> = node.children().map(inline_text).filter(|s| !s.is_empty()).collect();
    paragraphs.join("\n")
}

/// Returns a list item's Markdown source without its marker, lines joined.
fn item_text<'a>(item: &'a AstNode<'a>, lines: &[&str]) -> String {
    let pos = item.data().sourcepos;
    let text = slice_lines(lines, pos.start.line, pos.end.line);
    let text = text.trim_start();
    let text = text.trim_start_matches(|c: char| c.is_ascii_digit());
    let text = text.strip_prefix('.').or_else(|| text.strip_prefix(')')).unwrap_or(text);
    text.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

fn slice_lines(lines: &[&str], start: usize, end: usize) -> String {
    let start = start.saturating_sub(1).min(lines.len());
    let end = end.min(lines.len()).max(start);
    lines[start..end].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "# Brief Creator\n\n## Purpose\nDrafts briefs.\nFast.\n\n## Founder Knowledge\n> \"A brief is complete when it is actionable.\"\n\n> Second quote.\n\n## Process\n1. Analyze the request\n2. Call `erp_get_client`\n   and check history\n\n## Error Handling\n| Error | Action |\n|-------|--------|\n| Missing client context | Request additional info |\n\n## Constraints\n- Never invent budgets.\n";

    #[test]
    fn sections_are_recognized() {
        let body = parse(BODY);
        assert_eq!(body.title.as_deref(), Some("Brief Creator"));
        assert_eq!(body.purpose.as_deref(), Some("Drafts briefs.\nFast."));
        assert_eq!(body.knowledge, vec!["\"A brief is complete when it is actionable.\"", "Second quote."]);
        assert_eq!(
            body.process.as_ref().unwrap(),
            &vec!["Analyze the request".to_owned(), "Call `erp_get_client`\nand check history".to_owned()]
        );
        assert_eq!(
            body.error_rules,
            vec![ErrorRule { error: "Missing client context".into(), action: "Request additional info".into() }]
        );
        assert_eq!(
            body.context,
            vec![Section { heading: "Constraints".into(), text: "- Never invent budgets.".into() }]
        );
    }

    #[test]
    fn missing_sections_and_unordered_process() {
        let body = parse("## Process\n- not ordered\n");
        assert!(body.purpose.is_none());
        assert_eq!(body.process, Some(vec![]));
        let crlf = parse("## Purpose\r\nX\r\n## Process\r\n1. a\r\n");
        assert_eq!(crlf.purpose.as_deref(), Some("X"));
        assert_eq!(crlf.process, Some(vec!["a".to_owned()]));
    }

    #[test]
    fn the_first_purpose_and_process_win_and_later_ones_are_context() {
        let body = parse("## Purpose\nA.\n\n## Process\n1. Follow.\n\n## Process\n- own steps\n");
        assert_eq!(body.purpose.as_deref(), Some("A."));
        assert_eq!(body.process, Some(vec!["Follow.".to_owned()]));
        assert_eq!(body.context, vec![Section { heading: "Process".into(), text: "- own steps".into() }]);
    }
}
