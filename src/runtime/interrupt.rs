//! [`Interrupt`]: the request to stop a run at its next safe point (SPEC §8, Interrupts). The
//! command line triggers it on the first Ctrl-C; the loop abandons the Claude request in flight,
//! starts no new tool call, saves the session and ends with [`super::Ending::Interrupted`].

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A one-way flag that a run checks at its safe points and waits on during a model request.
#[derive(Debug, Default)]
pub struct Interrupt {
    set: AtomicBool,
    notify: Notify,
}

impl Interrupt {
    /// Returns a flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes every waiter.
    pub fn trigger(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Returns whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Completes once the flag is set (at once when it already is).
    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a trigger between the two is not missed.
            notified.as_mut().enable();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

/// Completes when `interrupt` is set; never without one.
pub async fn wait(interrupt: Option<&Interrupt>) {
    match interrupt {
        Some(i) => i.wait().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_wakes_on_the_trigger_and_a_late_waiter_at_once() {
        let rt = crate::rt::build().unwrap();
        let interrupt = std::sync::Arc::new(Interrupt::new());
        assert!(!interrupt.is_set());
        let waiter = {
            let interrupt = std::sync::Arc::clone(&interrupt);
            rt.spawn(async move { interrupt.wait().await })
        };
        interrupt.trigger();
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(5), waiter).await.unwrap().unwrap();
            tokio::time::timeout(std::time::Duration::from_secs(5), wait(Some(&interrupt))).await.unwrap();
        });
        assert!(interrupt.is_set());
    }
}
