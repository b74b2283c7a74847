//! The runtime's clock: the system clock, or (tests only) a fixed or stepping clock given by
//! `AGENTB_TEST_CLOCK`, which the settings step reads once and passes in.
//!
//! `AGENTB_TEST_CLOCK=2026-01-01T00:00:00Z` stops time at that instant;
//! `AGENTB_TEST_CLOCK=2026-01-01T00:00:00Z+100s` starts there and moves 100 seconds forward every
//! time the clock is read, so a wall-time breaker trips after a predictable number of reads.

use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// The environment variable of the test clock. Test-only: never set it in production.
pub const TEST_CLOCK_ENV: &str = "AGENTB_TEST_CLOCK";

/// A source of the current time.
#[derive(Debug)]
pub enum Clock {
    /// The system clock.
    System,
    /// A test clock: the next instant it returns, and how far it moves on each read.
    Test { next: Mutex<Timestamp>, step: Duration },
}

impl Clock {
    /// Returns the clock `AGENTB_TEST_CLOCK` describes (`None`: the system clock).
    pub fn from_spec(spec: Option<&str>) -> Result<Self, String> {
        let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(Clock::System) };
        let (start, step) = match spec.rsplit_once('+') {
            // A `+` inside an offset (`+01:00`) is part of the timestamp, not a step.
            Some((start, step)) if !step.contains(':') => (start, Some(step)),
            _ => (spec, None),
        };
        let start: Timestamp =
            start.parse().map_err(|e| format!("`{TEST_CLOCK_ENV}`: `{start}` is not an RFC 3339 timestamp: {e}"))?;
        let step = match step {
            Some(step) => crate::duration::parse(step).map_err(|e| format!("`{TEST_CLOCK_ENV}`: {e}"))?,
            None => Duration::ZERO,
        };
        Ok(Clock::Test { next: Mutex::new(start), step })
    }

    /// Returns the current time (a test clock then moves by its step).
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Test { next, step } => {
                let mut guard = next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = *guard;
                let step = SignedDuration::try_from(*step).unwrap_or(SignedDuration::ZERO);
                *guard = now.checked_add(step).unwrap_or(now);
                now
            }
        }
    }
}

/// Returns the whole seconds from `from` to `to` (0 when `to` is earlier).
pub fn secs_between(from: Timestamp, to: Timestamp) -> u64 {
    let secs = to.duration_since(from).as_secs();
    u64::try_from(secs).unwrap_or(0)
}

/// Returns `at` moved forward by `by`.
pub fn add(at: Timestamp, by: Duration) -> Timestamp {
    SignedDuration::try_from(by).ok().and_then(|d| at.checked_add(d).ok()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_stepping_clocks() {
        let fixed = Clock::from_spec(Some("2026-01-01T00:00:00Z")).unwrap();
        assert_eq!(fixed.now(), fixed.now());
        let stepping = Clock::from_spec(Some("2026-01-01T00:00:00Z+100s")).unwrap();
        let a = stepping.now();
        let b = stepping.now();
        assert_eq!(secs_between(a, b), 100);
        assert!(matches!(Clock::from_spec(None).unwrap(), Clock::System));
        assert!(Clock::from_spec(Some("yesterday")).is_err());
        assert!(Clock::from_spec(Some("2026-01-01T00:00:00Z+1x")).is_err());
        let offset = Clock::from_spec(Some("2026-01-01T00:00:00+01:00")).unwrap();
        assert_eq!(offset.now().to_string(), "2025-12-31T23:00:00Z");
    }
}
