//! Secret detection: Anthropic keys, bearer tokens, private keys, common cloud keys, and long
//! high-entropy tokens. Findings are reported by span; messages show only a short prefix.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// A secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// What kind of secret it looks like ("an Anthropic API key").
    pub kind: &'static str,
    pub range: Range<usize>,
}

static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("an Anthropic API key", r"sk-ant-[A-Za-z0-9_\-]{8,}"),
        ("an OpenAI-style API key", r"\bsk-(?:proj-)?[A-Za-z0-9]{20,}"),
        ("a bearer token", r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{16,}=*"),
        ("a private key", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
        ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),
        ("a Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    ]
    .into_iter()
    .map(|(kind, pattern)| (kind, Regex::new(pattern).expect("secret patterns are valid")))
    .collect()
});

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=_\-]{32,}").expect("token pattern is valid"));

/// Returns the secrets in `text`, each range once, in order.
pub fn scan(text: &str) -> Vec<Secret> {
    let mut found: Vec<Secret> = Vec::new();
    for (kind, re) in PATTERNS.iter() {
        for m in re.find_iter(text) {
            found.push(Secret { kind, range: m.range() });
        }
    }
    for m in TOKEN.find_iter(text) {
        if looks_random(m.as_str()) && !found.iter().any(|s| overlaps(&s.range, &m.range())) {
            found.push(Secret { kind: "a high-entropy token", range: m.range() });
        }
    }
    found.sort_by_key(|s| s.range.start);
    found.dedup_by(|b, a| overlaps(&a.range, &b.range));
    found
}

/// Returns `text` with every secret masked after its first eight characters, keeping byte
/// offsets (secrets are ASCII), so snippets of a diagnostic never show the whole secret.
pub fn mask(text: &str) -> String {
    let secrets = scan(text);
    if secrets.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for secret in secrets {
        for b in &mut bytes[(secret.range.start + 8).min(secret.range.end)..secret.range.end] {
            if b.is_ascii() {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// Returns `text` with every secret replaced by its [`redact`]ed preview.
pub fn redact_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for secret in scan(text) {
        out.push_str(&text[pos..secret.range.start]);
        out.push_str(&redact(&text[secret.range.clone()]));
        pos = secret.range.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Redacts secrets that a diagnostic quotes (an unknown key, a status, a type) in its message,
/// label, help, notes and fix description, and drops a fix whose edits would write one.
pub fn redact_diagnostic(d: &mut crate::lint::Diagnostic) {
    let redact_in = |text: &mut String| {
        if !scan(text).is_empty() {
            *text = redact_all(text);
        }
    };
    redact_in(&mut d.message);
    d.label.iter_mut().chain(&mut d.help).chain(&mut d.notes).for_each(redact_in);
    if d.fix.as_ref().is_some_and(|f| f.edits.iter().any(|e| !scan(&e.replacement).is_empty())) {
        d.fix = None;
    }
    if let Some(fix) = &mut d.fix {
        redact_in(&mut fix.description);
    }
}

/// Returns a redacted preview: the first few characters and the length.
pub fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(8).collect();
    format!("{prefix}… ({} characters)", secret.chars().count())
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// A token looks random when it mixes letters and digits and its Shannon entropy is high.
fn looks_random(token: &str) -> bool {
    let has_digit = token.bytes().any(|b| b.is_ascii_digit());
    let has_upper = token.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = token.bytes().any(|b| b.is_ascii_lowercase());
    if !(has_digit && has_lower && has_upper) {
        return false;
    }
    let mut counts = [0u32; 256];
    for b in token.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = token.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / len;
            -p * p.log2()
        })
        .sum();
    entropy > 4.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_tokens() {
        let text = "key: sk-ant-api03-abcdefghijklmnopqrstuvwxyz\nAuthorization: Bearer abcdefghijklmnop1234\n";
        let found = scan(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].kind, "an Anthropic API key");
        assert_eq!(found[1].kind, "a bearer token");
        let random = "token: Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU\n";
        assert_eq!(scan(random)[0].kind, "a high-entropy token");
    }

    #[test]
    fn ordinary_prose_and_ids_are_not_secrets() {
        let text = "## Process\n1. Call erp_list_deliverables_for_client_by_deadline\nversion 1.2.0 brief-creator\n";
        assert!(scan(text).is_empty(), "{:?}", scan(text));
    }

    #[test]
    fn masking_keeps_offsets() {
        let text = "a: sk-ant-api03-abcdefghijklmnopqrstuvwxyz\nb: ok\n";
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("sk-ant-a****"));
        assert!(!masked.contains("abcdefghijklmnop"));
        assert!(masked.ends_with("b: ok\n"));
    }

    #[test]
    fn quoted_secrets_are_redacted_in_messages() {
        let key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz";
        let path = std::path::Path::new("a.md");
        let mut d = crate::lint::Diagnostic::new(
            &crate::lint::rules::INVALID_STATUS,
            path,
            None,
            format!("invalid status `{key}`"),
        )
        .help(format!("did you mean `{key}`?"));
        redact_diagnostic(&mut d);
        assert_eq!(d.message, "invalid status `sk-ant-a… (39 characters)`");
        assert!(!d.help.unwrap().contains(key));
    }

    #[test]
    fn redaction_never_shows_the_whole_key() {
        let key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz";
        let shown = redact(key);
        assert!(!shown.contains(key));
        assert!(shown.starts_with("sk-ant-a"));
    }
}
