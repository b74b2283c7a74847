//! The one retry policy of agentb's HTTP clients (the Claude API and the ERP): exponential
//! backoff with jitter (backon) up to `max_retries`, only on failures that say they are
//! retryable, honoring a `Retry-After` the server asked for up to a cap (a longer wait fails
//! the call at once rather than hanging it).

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable as _};

/// What the policy needs to know about a failed attempt.
pub trait RetryableFailure {
    /// Returns whether another attempt may succeed (a connect error, a 429 or a 5xx, …).
    fn retryable(&self) -> bool;
    /// Returns how long the server asked to wait (`Retry-After`), if it did.
    fn retry_after(&self) -> Option<Duration>;
}

/// Backoff and limits of the retries of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff delay (doubled at each retry, with jitter).
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` honored; a server asking for more fails the call at once.
    pub max_retry_after: Duration,
}

impl Policy {
    /// Runs `attempt` until it succeeds, fails with a failure that is not retryable, asks for a
    /// wait over `max_retry_after`, or the retries are spent; `notify` is told of each retry
    /// and its delay. Returns the last result.
    pub async fn run<T, E, Fut>(&self, attempt: impl FnMut() -> Fut, notify: impl FnMut(&E, Duration)) -> Result<T, E>
    where
        E: RetryableFailure,
        Fut: Future<Output = Result<T, E>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries as usize)
            .with_jitter();
        let max_retry_after = self.max_retry_after;
        attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(E::retryable)
            .adjust(move |failure: &E, delay| match (failure.retry_after(), delay) {
                (_, None) => None,
                (Some(after), Some(_)) => (after <= max_retry_after).then_some(after),
                (None, delay) => delay,
            })
            .notify(notify)
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[derive(Debug)]
    struct Fail {
        retryable: bool,
        after: Option<Duration>,
    }

    impl RetryableFailure for Fail {
        fn retryable(&self) -> bool {
            self.retryable
        }
        fn retry_after(&self) -> Option<Duration> {
            self.after
        }
    }

    const POLICY: Policy = Policy {
        max_retries: 3,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_retry_after: Duration::from_millis(50),
    };

    /// Returns how many attempts a call makes when every attempt fails with `fail()`, and how
    /// many retries were notified.
    fn attempts(fail: impl Fn() -> Fail) -> (u32, u32) {
        let (tries, notified) = (AtomicU32::new(0), AtomicU32::new(0));
        let result: Result<(), Fail> = crate::rt::build().expect("runtime").block_on(POLICY.run(
            || {
                tries.fetch_add(1, Ordering::Relaxed);
                let failure = fail();
                async move { Err(failure) }
            },
            |_, _| {
                notified.fetch_add(1, Ordering::Relaxed);
            },
        ));
        assert!(result.is_err());
        (tries.into_inner(), notified.into_inner())
    }

    #[test]
    fn retries_only_what_is_retryable_and_honors_retry_after_up_to_the_cap() {
        assert_eq!(attempts(|| Fail { retryable: true, after: None }), (4, 3));
        assert_eq!(attempts(|| Fail { retryable: false, after: None }), (1, 0));
        assert_eq!(attempts(|| Fail { retryable: true, after: Some(Duration::from_millis(1)) }), (4, 3));
        // Asked to wait longer than the cap: fail at once.
        assert_eq!(attempts(|| Fail { retryable: true, after: Some(Duration::from_mins(1)) }), (1, 0));
    }

    #[test]
    fn a_success_after_failures_is_returned() {
        let tries = AtomicU32::new(0);
        let result = crate::rt::build().expect("runtime").block_on(POLICY.run(
            || {
                let n = tries.fetch_add(1, Ordering::Relaxed);
                async move { if n < 2 { Err(Fail { retryable: true, after: None }) } else { Ok(n) } }
            },
            |_, _| {},
        ));
        assert_eq!(result.unwrap(), 2);
    }
}
