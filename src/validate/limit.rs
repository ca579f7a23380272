//! Per-provider rate limits: request starts to one provider are spaced by `1.05 / rate`
//! seconds, so no window of a second holds more than `rate` of them; a `Retry-After` pushes
//! the provider's next slot back for every worker.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Slots per provider.
#[derive(Default)]
pub struct Limiter {
    next: Mutex<HashMap<String, Instant>>,
}

impl Limiter {
    /// Waits for `provider`'s next slot at `rate` requests per second.
    pub fn acquire(&self, provider: &str, rate: f64) {
        // 5% slack: a start delayed by up to 50 ms on the way (scheduling, the network) still
        // never shows rate + 1 starts within one second at the provider.
        let interval = Duration::from_secs_f64(1.05 / rate);
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let n = next.entry(provider.to_string()).or_insert(now);
            let slot = (*n).max(now);
            *n = slot + interval;
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }

    /// Holds every request to `provider` back for `wait`.
    pub fn back_off(&self, provider: &str, wait: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + wait;
        let n = next.entry(provider.to_string()).or_insert(until);
        *n = (*n).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_to_one_provider_are_spaced_and_others_are_not_held() {
        let l = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..6 {
            l.acquire("a", 50.0);
        }
        // Six starts at 50/s: five gaps of 21 ms.
        assert!(
            t0.elapsed() >= Duration::from_millis(105),
            "{:?}",
            t0.elapsed()
        );
        let t1 = Instant::now();
        l.acquire("b", 50.0);
        assert!(t1.elapsed() < Duration::from_millis(15));
        l.back_off("b", Duration::from_millis(60));
        let t2 = Instant::now();
        l.acquire("b", 50.0);
        assert!(t2.elapsed() >= Duration::from_millis(55));
    }
}
