//! The recommended `description` (AB041): the warning for a skill without one, and the
//! suggestion it makes, the first sentence of `## Purpose`.

use std::ops::Range;
use std::path::Path;

use super::{Diagnostic, rules};

/// Returns the AB041 warning for a skill whose frontmatter (opened at `open`) has no
/// `description`, suggesting the first sentence of its Purpose when there is one.
pub fn missing(file: &Path, open: Range<usize>, purpose: Option<&str>) -> Diagnostic {
    let d = Diagnostic::new(&rules::MISSING_DESCRIPTION, file, Some(open), "the skill has no `description`")
        .label("`description` is recommended");
    match purpose.and_then(first_sentence) {
        Some(sentence) => d.help(format!("add `description: {}`", yaml_scalar(&sentence))),
        None => d.help("add `description:` with one sentence saying what the skill does"),
    }
}

/// Returns the first sentence of a Markdown paragraph, its lines joined by single spaces: the
/// text up to the first `.`, `!` or `?` followed by white space or the end. `None` when the
/// text has no letter or digit (an empty or `...` Purpose).
pub fn first_sentence(text: &str) -> Option<String> {
    let paragraph = text.trim().split("\n\n").next().unwrap_or_default();
    let joined = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut end = joined.len();
    let mut chars = joined.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|(_, next)| *next == ' ') {
            end = i + c.len_utf8();
            break;
        }
    }
    let sentence = &joined[..end];
    sentence.chars().any(char::is_alphanumeric).then(|| sentence.to_owned())
}

/// Returns `text` as a YAML scalar: plain when that reads back the same, else double-quoted.
fn yaml_scalar(text: &str) -> String {
    let plain_safe = !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c));
    if plain_safe { text.to_owned() } else { serde_json::Value::from(text).to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_of_a_purpose() {
        assert_eq!(
            first_sentence("Drafts a brief from a client\nrequest. Then more.").unwrap(),
            "Drafts a brief from a client request."
        );
        assert_eq!(first_sentence("Version 1.5 of the tool works. Yes").unwrap(), "Version 1.5 of the tool works.");
        assert_eq!(first_sentence("No full stop at all").unwrap(), "No full stop at all");
        assert_eq!(first_sentence("First paragraph\n\nSecond. paragraph").unwrap(), "First paragraph");
        assert_eq!(first_sentence("..."), None);
        assert_eq!(first_sentence("  \n"), None);
    }

    #[test]
    fn suggestions_are_valid_yaml() {
        assert_eq!(yaml_scalar("Drafts a brief."), "Drafts a brief.");
        assert_eq!(yaml_scalar("Note: drafts a brief."), "\"Note: drafts a brief.\"");
        assert_eq!(yaml_scalar("`code` first"), "\"`code` first\"");
    }
}
