//! Canary bucketing (SPEC §9): an org's bucket for a skill is the first 8 bytes of
//! sha256(`skill_id:salt:org`) read as a big-endian integer, mod 10,000. An org is in a canary
//! of PCT percent when its bucket is below PCT×100, so raising the percentage only adds orgs.

use sha2::{Digest, Sha256};

/// Returns the bucket, 0..10,000, of an org for a skill and salt.
pub fn bucket(skill_id: &str, salt: &str, org: &str) -> u64 {
    let digest = Sha256::digest(format!("{skill_id}:{salt}:{org}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000
}

/// A canary percentage with up to two decimals, held as hundredths of a percent (0..=10,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u32);

impl Percent {
    /// Parses `10`, `10%`, `2.5` or `0.25%`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().trim_end_matches('%');
        let err = || {
            format!("invalid percentage `{text}`; expected a number from 0 to 100 with up to two decimals, e.g. `10%`")
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let whole: u32 = whole.parse().map_err(|_| err())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| err())?;
        let hundredths = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(err)?;
        if hundredths > 10_000 {
            return Err(err());
        }
        Ok(Self(hundredths))
    }

    /// Returns the threshold in buckets: PCT × 100.
    pub fn threshold(self) -> u64 {
        u64::from(self.0)
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{}%", self.0 / 100)
        } else {
            write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
        }
    }
}

/// Returns the orgs in a canary of `pct`: those whose bucket is below the threshold; when
/// `pct` > 0 selects none, the org with the lowest bucket, so a canary is never empty.
pub fn canary_orgs<'a>(skill_id: &str, salt: &str, orgs: &'a [String], pct: Percent) -> Vec<&'a str> {
    if pct.threshold() == 0 || orgs.is_empty() {
        return Vec::new();
    }
    let buckets: Vec<(u64, &str)> = orgs.iter().map(|o| (bucket(skill_id, salt, o), o.as_str())).collect();
    let mut selected: Vec<&str> = buckets.iter().filter(|(b, _)| *b < pct.threshold()).map(|(_, o)| *o).collect();
    if selected.is_empty()
        && let Some((_, org)) = buckets.iter().min()
    {
        selected.push(org);
    }
    selected.sort_unstable();
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vectors() {
        // sha256("brief-creator:s4lt:acme") starts with these bytes; the bucket is stable forever.
        let digest = Sha256::digest(b"brief-creator:s4lt:acme");
        let expected = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 10_000;
        assert_eq!(bucket("brief-creator", "s4lt", "acme"), expected);
        assert_eq!(bucket("brief-creator", "s4lt", "acme"), bucket("brief-creator", "s4lt", "acme"));
        assert_ne!(bucket("brief-creator", "s4lt", "acme"), bucket("brief-creator", "other", "acme"));
    }

    #[test]
    fn literal_vectors() {
        // Computed independently (Python: int.from_bytes(sha256(s).digest()[:8], "big") % 10000).
        assert_eq!(bucket("brief-creator", "s4lt", "acme"), 8724);
        assert_eq!(bucket("brief-creator", "s4lt", "beta"), 1317);
        assert_eq!(bucket("brief-creator", "s4lt", "corp"), 2004);
        assert_eq!(bucket("brief-creator", "s4lt", "demo"), 8278);
        assert_eq!(bucket("a", "salt", "org-1"), 7160);
        let orgs: Vec<String> = ["acme", "beta", "corp", "demo"].map(str::to_owned).to_vec();
        let pct = |p| Percent::parse(p).unwrap();
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("10%")), vec!["beta"], "lowest bucket");
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("13.18%")), vec!["beta"]);
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("20.05%")), vec!["beta", "corp"]);
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("20.04%")), vec!["beta"]);
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("87.25")), vec!["acme", "beta", "corp", "demo"]);
        assert_eq!(canary_orgs("brief-creator", "s4lt", &orgs, pct("87.24")), vec!["beta", "corp", "demo"]);
    }

    #[test]
    fn canaries_are_sticky() {
        let orgs: Vec<String> = (0..500).map(|i| format!("org-{i}")).collect();
        let ten = canary_orgs("a", "salt", &orgs, Percent::parse("10%").unwrap());
        let twenty = canary_orgs("a", "salt", &orgs, Percent::parse("20").unwrap());
        assert!(!ten.is_empty() && ten.len() < twenty.len());
        assert!(ten.iter().all(|o| twenty.contains(o)), "10% must be inside 20%");
        assert_eq!(canary_orgs("a", "salt", &orgs, Percent::parse("100").unwrap()).len(), 500);
        assert!(canary_orgs("a", "salt", &orgs, Percent::parse("0").unwrap()).is_empty());
    }

    #[test]
    fn a_canary_is_never_empty() {
        let orgs = vec!["acme".to_owned(), "beta".to_owned()];
        let tiny = canary_orgs("a", "salt", &orgs, Percent::parse("0.01").unwrap());
        assert_eq!(tiny.len(), 1);
        let lowest = orgs.iter().min_by_key(|o| bucket("a", "salt", o)).unwrap();
        assert_eq!(tiny[0], lowest);
    }

    #[test]
    fn percentages() {
        assert_eq!(Percent::parse("12.5%").unwrap().threshold(), 1250);
        assert_eq!(Percent::parse("0.25").unwrap().to_string(), "0.25%");
        assert!(Percent::parse("100.01").is_err());
        assert!(Percent::parse("1.234").is_err());
        assert!(Percent::parse("-1").is_err());
        assert!(Percent::parse("ten").is_err());
    }
}
