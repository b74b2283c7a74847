//! The `human` format: rustc-like diagnostics with the source line and a caret under the exact
//! span, rendered by `annotate-snippets`.
//!
//! ```text
//! error[AB010]: unknown key `verison`
//!  --> skills/a.md:3:1
//!   |
//! 3 | verison: 1.0.0
//!   | ^^^^^^^ not a skill key
//!   |
//!   = help: did you mean `version`?
//!   = note: fix available: rename `verison` to `version` (apply it with `agentb lint --fix`)
//! ```

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use annotate_snippets::renderer::{DEFAULT_EMPHASIS_STYLE, DEFAULT_LINE_NUM_STYLE, Style};
use annotate_snippets::{AnnotationKind, Group, Renderer, Snippet, normalize_untrusted_str};

use super::{Sources, slash_path};
use crate::lint::{Diagnostic, Level};

/// Returns the diagnostics rendered for a terminal, each followed by a blank line (like rustc),
/// with ANSI colors only when `color` is true. There is no summary line.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(diagnostic, sources, &renderer, color));
        out.push_str("\n\n");
    }
    out
}

/// The kind of a trailing `= help:` / `= note:` line.
#[derive(Clone, Copy)]
enum Footer {
    Help,
    Note,
}

impl Footer {
    fn level(self) -> annotate_snippets::Level<'static> {
        match self {
            Footer::Help => annotate_snippets::Level::HELP,
            Footer::Note => annotate_snippets::Level::NOTE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Footer::Help => "help",
            Footer::Note => "note",
        }
    }
}

fn render_one(diagnostic: &Diagnostic, sources: &Sources, renderer: &Renderer, color: bool) -> String {
    let level = match diagnostic.level {
        Level::Error => annotate_snippets::Level::ERROR,
        Level::Warning => annotate_snippets::Level::WARNING,
    };
    let title = level.primary_title(diagnostic.message.as_str()).id(diagnostic.rule.code);
    let path = slash_path(&diagnostic.file);
    let footers = footers(diagnostic);

    let window = diagnostic.span.as_ref().and_then(|span| Window::new(sources, &diagnostic.file, span));
    let Some(window) = window else {
        // No snippet to show: the title, the file, and the footers.
        let mut out = renderer.render(&[Group::with_title(title)]);
        render_location_only(&mut out, &path, &footers, color);
        return out;
    };

    let mut annotation = AnnotationKind::Primary.span(window.span);
    if let Some(label) = &diagnostic.label {
        annotation = annotation.label(label.as_str());
    }
    let snippet = Snippet::source(window.source).line_start(window.line).path(path.as_str()).annotation(annotation);
    // Footer texts are "trusted" (unnormalized) by annotate-snippets, but may quote the
    // user's file: normalize them like the title and the source.
    let group = title
        .element(snippet)
        .elements(footers.iter().map(|(kind, text)| kind.level().message(normalize_untrusted_str(text))));
    renderer.render(&[group])
}

/// Returns the `help:` and `note:` lines of a diagnostic, in order.
fn footers(diagnostic: &Diagnostic) -> Vec<(Footer, String)> {
    let mut footers = Vec::new();
    if let Some(help) = &diagnostic.help {
        footers.push((Footer::Help, help.clone()));
    }
    for note in &diagnostic.notes {
        footers.push((Footer::Note, note.clone()));
    }
    if let Some(fix) = &diagnostic.fix {
        footers.push((Footer::Note, format!("fix available: {} (apply it with `agentb lint --fix`)", fix.description)));
    }
    footers
}

/// Appends ` --> path` and the footers, laid out like annotate-snippets lays out a snippet's.
fn render_location_only(out: &mut String, path: &str, footers: &[(Footer, String)], color: bool) {
    let (line_num, emphasis) =
        if color { (DEFAULT_LINE_NUM_STYLE, DEFAULT_EMPHASIS_STYLE) } else { (Style::new(), Style::new()) };
    let path = normalize_untrusted_str(path);
    let _ = write!(out, "\n {line_num}-->{line_num:#} {path}");
    if footers.is_empty() {
        return;
    }
    let _ = write!(out, "\n  {line_num}|{line_num:#}");
    for (kind, text) in footers {
        let name = kind.name();
        // Continuation lines align with the text after `  = help: `.
        let indent = " ".repeat(2 + 2 + name.len() + 2);
        let text = normalize_untrusted_str(text);
        let _ = write!(out, "\n  {line_num}={line_num:#} {emphasis}{name}{emphasis:#}: ");
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&indent);
            }
            out.push_str(line);
        }
    }
}

/// The lines of a file that a span covers, with the span made relative to them.
struct Window<'a> {
    source: &'a str,
    /// 1-based number of the first line of `source`.
    line: usize,
    span: Range<usize>,
}

impl<'a> Window<'a> {
    /// Returns the window of `span` in `path`'s text, or `None` when the text is not known.
    ///
    /// Only the covered lines are passed to annotate-snippets, so a diagnostic in a large file
    /// costs the size of its lines, not of the file. An out-of-range span is clamped and one that
    /// splits a character is widened to character boundaries.
    fn new(sources: &'a Sources, path: &Path, span: &Range<usize>) -> Option<Self> {
        let text = sources.text(path)?;
        let start = text.floor_char_boundary(span.start.min(text.len()));
        let end = text.ceil_char_boundary(span.end.clamp(start, text.len()));
        let first = text[..start].rfind('\n').map_or(0, |i| i + 1);
        // The window keeps its last line break, so that a CRLF's CR is not shown as a character;
        // a span that ends with a line break does not show the next line.
        let last = if end > start && text[..end].ends_with('\n') {
            end
        } else {
            text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
        };
        let line = sources.position(path, &(start..end))?.line;
        Some(Self { source: &text[first..last], line, span: start - first..end - first })
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::lint::{Edit, rules};

    /// Line 2 has multi-byte characters and every line ends with CRLF.
    const SOURCE: &str = "---\r\nnamé: «çà» 日本\r\nverison: 1.0.0\r\n---\r\n";

    fn sources() -> Sources {
        let mut sources = Sources::default();
        sources.insert(PathBuf::from("skills/a.md"), SOURCE.into());
        sources
    }

    fn span_of(needle: &str) -> Range<usize> {
        let start = SOURCE.find(needle).unwrap();
        start..start + needle.len()
    }

    fn unknown_key() -> Diagnostic {
        Diagnostic::new(
            &rules::UNKNOWN_KEY,
            Path::new("skills/a.md"),
            Some(span_of("verison")),
            "unknown key `verison`",
        )
        .label("not a skill key")
        .help("did you mean `version`?")
    }

    #[test]
    fn error_with_snippet_label_and_help() {
        let out = render(&[unknown_key()], &sources(), false);
        let expected = "\
error[AB010]: unknown key `verison`
 --> skills/a.md:3:1
  |
3 | verison: 1.0.0
  | ^^^^^^^ not a skill key
  |
  = help: did you mean `version`?

";
        assert_eq!(out, expected);
    }

    #[test]
    fn column_counts_characters_after_multibyte_text() {
        let diagnostic =
            Diagnostic::new(&rules::REQUIRED_WITH_DEFAULT, Path::new("skills/a.md"), Some(span_of("日本")), "w")
                .label("here");
        let out = render(&[diagnostic], &sources(), false);
        // `namé: «çà» ` is 11 characters (17 bytes): `日` is column 12.
        assert!(out.starts_with("warning[AB025]: w\n --> skills/a.md:2:12\n"), "{out}");
        assert!(out.contains("2 | namé: «çà» 日本\n"), "{out}");
        // The two double-width characters get four carets.
        assert!(out.contains(&format!("  |{}^^^^ here\n", " ".repeat(12))), "{out}");
        assert!(!out.contains('\r'), "{out:?}");
    }

    #[test]
    fn notes_fix_and_separation() {
        let with_fix = unknown_key().note("keys are case-sensitive").fix(
            "rename `verison` to `version`",
            vec![Edit { range: span_of("verison"), replacement: "version".into() }],
        );
        let out = render(&[with_fix, unknown_key()], &sources(), false);
        assert!(out.contains("  = note: keys are case-sensitive\n"), "{out}");
        assert!(
            out.contains(
                "  = note: fix available: rename `verison` to `version` (apply it with `agentb lint --fix`)\n\nerror[AB010]"
            ),
            "{out}"
        );
        assert_eq!(out.matches("error[AB010]").count(), 2);
        assert!(out.ends_with("did you mean `version`?\n\n"), "{out}");
    }

    #[test]
    fn no_span_or_unknown_text_shows_the_path_only() {
        let no_span = Diagnostic::new(&rules::DUPLICATE_ID, Path::new("skills/a.md"), None, "duplicate id `a`")
            .note("also defined in skills/b.md\nand in skills/c.md");
        let unknown_file =
            Diagnostic::new(&rules::EMPTY_FILE, Path::new("skills/z.md"), Some(0..0), "the file is empty");
        let out = render(&[no_span, unknown_file], &sources(), false);
        let expected = "\
error[AB015]: duplicate id `a`
 --> skills/a.md
  |
  = note: also defined in skills/b.md
          and in skills/c.md

error[AB001]: the file is empty
 --> skills/z.md

";
        assert_eq!(out, expected);
    }

    #[test]
    fn colors_only_when_asked() {
        let plain = render(&[unknown_key()], &sources(), false);
        let colored = render(&[unknown_key()], &sources(), true);
        assert!(!plain.contains('\x1b'));
        assert!(colored.contains('\x1b'));
        let no_span = Diagnostic::new(&rules::DUPLICATE_ID, Path::new("skills/a.md"), None, "d").help("h");
        assert!(!render(std::slice::from_ref(&no_span), &sources(), false).contains('\x1b'));
        assert!(render(&[no_span], &sources(), true).contains("\x1b["));
    }

    #[test]
    fn odd_spans_do_not_panic() {
        let e_acute = SOURCE.find('é').unwrap();
        // Inside `é`, the whole text, the end, reversed, and past the end.
        let reversed = Range { start: 5, end: 3 };
        let spans = [e_acute + 1..e_acute + 1, 0..SOURCE.len(), SOURCE.len()..SOURCE.len(), reversed, 1000..2000];
        for span in spans {
            let diagnostic = Diagnostic::new(&rules::YAML_SYNTAX, Path::new("skills/a.md"), Some(span.clone()), "m");
            let out = render(&[diagnostic], &sources(), false);
            assert!(out.starts_with("error[AB004]: m\n --> skills/a.md:"), "{span:?}: {out}");
        }
    }

    #[test]
    fn a_span_ending_with_a_line_break_shows_its_line_only() {
        let line = span_of("verison: 1.0.0\r\n");
        let diagnostic = Diagnostic::new(&rules::UNKNOWN_KEY, Path::new("skills/a.md"), Some(line), "m");
        let out = render(&[diagnostic], &sources(), false);
        assert!(out.contains("3 | verison: 1.0.0\n"), "{out}");
        assert!(!out.contains("4 |"), "{out}");
    }
}
