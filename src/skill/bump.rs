//! Rewriting a skill's version (SPEC §9, `agentb version bump`): only the bytes of the
//! `version` scalar change; comments, key order, quoting, line endings and a BOM stay as they
//! are.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How big a change is (of an interface, or of a version bump).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Patch => "patch",
            Class::Minor => "minor",
            Class::Major => "major",
        })
    }
}

/// Returns the next version of `v` for a bump of `class`: major → `X+1.0.0`, minor →
/// `X.Y+1.0`, patch → `X.Y.Z+1`. Pre-release and build metadata are dropped.
pub fn next(v: &semver::Version, class: Class) -> semver::Version {
    match class {
        Class::Major => semver::Version::new(v.major + 1, 0, 0),
        Class::Minor => semver::Version::new(v.major, v.minor + 1, 0),
        Class::Patch => semver::Version::new(v.major, v.minor, v.patch + 1),
    }
}

/// Returns `text` with the version scalar at `span` (quotes included or not) replaced by `to`;
/// `None` when the span does not hold the version `from`.
pub fn rewrite(text: &str, span: Range<usize>, from: &semver::Version, to: &semver::Version) -> Option<String> {
    let scalar = text.get(span.clone())?;
    let old = from.to_string();
    let at = scalar.find(&old)?;
    let start = span.start + at;
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str(&text[..start]);
    out.push_str(&to.to_string());
    out.push_str(&text[start + old.len()..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    #[test]
    fn next_versions() {
        assert_eq!(next(&v("1.2.3"), Class::Major), v("2.0.0"));
        assert_eq!(next(&v("1.2.3"), Class::Minor), v("1.3.0"));
        assert_eq!(next(&v("1.2.3"), Class::Patch), v("1.2.4"));
        assert_eq!(next(&v("1.2.3-rc.1"), Class::Patch), v("1.2.4"));
    }

    #[test]
    fn rewrites_only_the_scalar() {
        let text =
            "---\nid: a # the id\nversion: \"1.2.3\"   # keep me\nstatus: active\n---\nversion: 1.2.3 in the body\n";
        let start = text.find("\"1.2.3\"").unwrap();
        let out = rewrite(text, start..start + 7, &v("1.2.3"), &v("1.3.0")).unwrap();
        assert_eq!(
            out,
            "---\nid: a # the id\nversion: \"1.3.0\"   # keep me\nstatus: active\n---\nversion: 1.2.3 in the body\n"
        );
        assert!(rewrite(text, 0..3, &v("1.2.3"), &v("1.3.0")).is_none());
    }
}
