//! [`Secret`]: a service key that can be used but never printed.

use std::fmt;

/// A secret value (an ERP service key). `Debug` and `Display` print `[redacted]`; the value
/// leaves only through [`Secret::expose`], at the point where a request header is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Returns `text` with every occurrence of the secret replaced by `[redacted]`, so a server
    /// that echoes a header cannot leak it into an error message.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() { text.to_owned() } else { text.replace(&self.0, "[redacted]") }
    }

    /// Returns whether `candidate` equals the secret, in time independent of where they differ.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        let mut diff = u8::from(a.len() != b.len());
        for (i, byte) in b.iter().enumerate() {
            diff |= byte ^ a.get(i % a.len().max(1)).copied().unwrap_or(0);
        }
        diff == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let secret = Secret::new("s3cr3t-key");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", Some(&secret)).contains("s3cr3t"));
        assert_eq!(secret.redact("got Bearer s3cr3t-key"), "got Bearer [redacted]");
    }

    #[test]
    fn matches_exactly() {
        let secret = Secret::new("abc");
        assert!(secret.matches("abc"));
        for wrong in ["", "ab", "abd", "abcd", "abcabc"] {
            assert!(!secret.matches(wrong), "{wrong}");
        }
        assert!(!Secret::new("").matches("x"));
        assert!(Secret::new("").matches(""));
    }
}
