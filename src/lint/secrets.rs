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

/// A candidate for a high-entropy token: base64 or URL-safe characters, `=` only as padding.
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/_\-]{32,}={0,2}").expect("token pattern is valid"));

/// The line before a token ends with an assignment: `key = `, `key: `, `"key": "`, `key=`.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?::=|=>|=|:)\s*["'`]?$"#).expect("assignment pattern is valid")
});

/// Words that say a value is a credential.
static SECRET_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)key|secret|token|passw|pwd|credential|auth").expect("secret word pattern is valid")
});

/// Words that say a value is a named hash or sample data, not a credential.
static NOT_SECRET_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:sha\d*|md5|blake\d*|hash|digest|checksum|commit|integrity|fingerprint|etag|example|sample|placeholder|dummy|fake)\b",
    )
    .expect("hash word pattern is valid")
});

/// Returns the secrets in `text`, each range once, in order.
pub fn scan(text: &str) -> Vec<Secret> {
    let mut found: Vec<Secret> = Vec::new();
    for (kind, re) in PATTERNS.iter() {
        for m in re.find_iter(text) {
            found.push(Secret { kind, range: m.range() });
        }
    }
    for m in TOKEN.find_iter(text) {
        if is_high_entropy_secret(text, m.range()) && !found.iter().any(|s| overlaps(&s.range, &m.range())) {
            found.push(Secret { kind: "a high-entropy token", range: m.range() });
        }
    }
    found.sort_by_key(|s| s.range.start);
    found.dedup_by(|b, a| overlaps(&a.range, &b.range));
    found
}

/// Returns whether a random-looking token is a secret, judged by where it stands:
/// - the value of a key, token, secret or password (`api_key = …`, `"token": "…"`): a secret;
/// - the value of any other assignment: a secret unless it reads as words (an identifier, a
///   file path) or the key names a hash or sample (`sha256: …`, `example: …`);
/// - in prose: a secret only when the text just before calls it a key, token or secret (and
///   not a hash or sample), so base64 sample data, identifiers and `commit …` are not;
/// - the host or path of a URL, or an SRI hash (`sha512-…`): never.
fn is_high_entropy_secret(text: &str, range: Range<usize>) -> bool {
    let token = &text[range.clone()];
    if !looks_random(token) {
        return false;
    }
    let line = &text[text[..range.start].rfind('\n').map_or(0, |i| i + 1)..range.start];
    let word = &line[line.rfind(|c: char| c.is_whitespace() || "\"'`()<>[]{}".contains(c)).map_or(0, |i| i + 1)..];
    // The host or path of a URL; not its query, fragment or user info.
    if let Some((_, after_scheme)) = word.split_once("://")
        && !after_scheme.contains(['?', '#', '@'])
        && (after_scheme.contains('/') || !after_scheme.contains(':'))
    {
        return false;
    }
    if token.starts_with("sha256-") || token.starts_with("sha512-") {
        return false;
    }
    let near = tail(line, 48);
    match ASSIGNMENT.captures(line).and_then(|c| c.get(1)).map(|k| k.as_str()) {
        Some(key) if SECRET_WORD.is_match(key) => true,
        Some(key) => !NOT_SECRET_WORD.is_match(key) && !looks_like_words(token),
        None => !NOT_SECRET_WORD.is_match(near) && SECRET_WORD.is_match(near) && !looks_like_words(token),
    }
}

/// Returns the last `max` bytes of `text` (at a character boundary).
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Returns whether a token reads as words (an identifier, a file path, `PROJECT_ID`,
/// `MAL_Mac_ProtonRAT_Jan25`) rather than noise: random characters switch between lower case,
/// upper case and digits at most neighbouring pairs (about 60% in base62), words rarely do.
fn looks_like_words(token: &str) -> bool {
    fn class(c: u8) -> u8 {
        match c {
            b'a'..=b'z' => 1,
            b'A'..=b'Z' => 2,
            b'0'..=b'9' => 3,
            _ => 0,
        }
    }
    let (mut pairs, mut switches) = (0u32, 0u32);
    for pair in token.as_bytes().windows(2) {
        let (a, b) = (class(pair[0]), class(pair[1]));
        if a != 0 && b != 0 {
            pairs += 1;
            switches += u32::from(a != b);
        }
    }
    // switches / pairs < 0.3
    switches * 10 < pairs * 3
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
    fn high_entropy_tokens_in_assignments_and_named_as_keys_are_secrets() {
        let token = "Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU";
        for text in [
            format!("token: {token}"),
            format!("value = \"{token}\""),
            format!("\"client_secret\": \"{token}\""),
            format!("export API_KEY={token}"),
            format!("curl https://api.example.com/v1/items?api_key={token}"),
            format!("Use the key {token} to call it."),
            format!("-H \"x-api-key: {token}\""),
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned(),
        ] {
            let found = scan(&text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert!(text[found[0].range.clone()].ends_with(&token[token.len() - 4..]) || text.contains("wJalr"));
        }
    }

    #[test]
    fn urls_paths_identifiers_hashes_and_samples_are_not_secrets() {
        for text in [
            "curl -s \"https://firestore.googleapis.com/v1/projects/PROJECT_ID/databases/(default)/documents\"",
            "url: https://example.com/a/Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU/b",
            "| [MAL_Mac_ProtonRAT_Jan25.yar](examples/MAL_Mac_ProtonRAT_Jan25.yar) | macOS |",
            "path: examples/MAL_NPM_SupplyChain_Jan25/SUSP_JS_Obfuscation_Jan25.yar",
            "sha256: Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU",
            "integrity=\"sha512-Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cUZx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU\"",
            "at commit Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU the file changed",
            "The base64 of the sample is SGVsbG8gV29ybGQhIFRoaXMgaXMgc2FtcGxlIGRhdGEu in this example.",
            "It decodes aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRlc3Qgc3RyaW5nIG9mIGJhc2U2NA== for you.",
            "Example: AIzaSyA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q",
        ] {
            assert!(scan(text).is_empty(), "{text}: {:?}", scan(text));
        }
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
