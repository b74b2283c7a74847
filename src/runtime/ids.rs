//! Where session and proposal ids come from: random (time-ordered session ids, random proposal
//! ids), or derived from a seed so a run that is replayed (`agentb test`) gets the same ids.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest as _, Sha256};

use super::proposals;
use super::session::Store;

/// A source of session and proposal ids.
#[derive(Debug, Default)]
pub enum Ids {
    /// Random ids: `s-` and a time-ordered uuid, `p-` and 12 random hex digits.
    #[default]
    Random,
    /// Ids derived from `seed` and a counter: the same seed gives the same ids in the same order.
    Seeded { seed: u64, next: AtomicU64 },
}

impl Ids {
    /// Returns a seeded source.
    pub fn seeded(seed: u64) -> Self {
        Ids::Seeded { seed, next: AtomicU64::new(0) }
    }

    /// Returns a new session id (`s-…`); seeded ids sort in the order they were made.
    pub fn session(&self) -> String {
        match self {
            Ids::Random => Store::new_id(),
            Ids::Seeded { seed, next } => {
                let n = next.fetch_add(1, Ordering::Relaxed);
                format!("s-{n:08x}{}", &digest(*seed, "session", n)[..24])
            }
        }
    }

    /// Returns a new proposal id (`p-` and 12 hex digits).
    pub fn proposal(&self) -> String {
        match self {
            Ids::Random => proposals::new_id(),
            Ids::Seeded { seed, next } => {
                let n = next.fetch_add(1, Ordering::Relaxed);
                format!("p-{}", &digest(*seed, "proposal", n)[..12])
            }
        }
    }
}

fn digest(seed: u64, kind: &str, n: u64) -> String {
    hex::encode(Sha256::digest(format!("{seed}:{kind}:{n}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::session::is_session_id;

    #[test]
    fn seeded_ids_repeat_and_random_ids_differ() {
        let (a, b) = (Ids::seeded(7), Ids::seeded(7));
        let first = (a.session(), a.proposal(), a.session());
        assert_eq!(first, (b.session(), b.proposal(), b.session()));
        assert!(is_session_id(&first.0) && first.0 < first.2, "{first:?}");
        assert_eq!(first.1.len(), 14);
        assert_ne!(Ids::seeded(8).session(), Ids::seeded(7).session());
        assert_ne!(Ids::Random.proposal(), Ids::Random.proposal());
    }
}
