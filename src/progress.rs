//! Progress on standard error, only when standard error is a terminal. Progress lines show
//! counts and rates, never content.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress indicator; a no-op when hidden.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    units: Arc<AtomicU64>,
    unit: &'static str,
    by_count: bool,
    bytes: Arc<AtomicU64>,
    started: std::time::Instant,
}

impl Progress {
    /// A progress bar over `total_bytes` of `unit`s (files, blobs), shown only when `enabled`
    /// and standard error is a terminal. It appears after a short delay, so quick scans (hooks)
    /// print nothing.
    pub fn new(total_bytes: u64, unit: &'static str, enabled: bool) -> Progress {
        let units = Arc::new(AtomicU64::new(0));
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                units,
                unit,
                by_count: false,
                bytes: Arc::default(),
                started: std::time::Instant::now(),
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} {bytes}/{total_bytes} ({binary_bytes_per_sec}) {elapsed}",
        ) {
            bar.set_style(style);
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            if !shown.is_finished() {
                shown.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
                shown.enable_steady_tick(Duration::from_millis(250));
            }
        });
        Progress {
            bar: Some(bar),
            units,
            unit,
            by_count: false,
            bytes: Arc::default(),
            started: std::time::Instant::now(),
        }
    }

    /// A progress bar over `total` blobs of a history of `commits` commits, showing blobs
    /// done and MB/s; shown only when `enabled` and standard error is a terminal.
    pub fn blobs(total: u64, commits: usize, enabled: bool) -> Progress {
        let p = Progress::new(total, "blobs", enabled);
        if let Some(bar) = &p.bar {
            let template = format!(
                "{{spinner}} {{pos}}/{{len}} blobs of {commits} commits, {{msg}} {{elapsed}}"
            );
            if let Ok(style) = ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
        }
        Progress {
            by_count: true,
            ..p
        }
    }

    /// A hidden progress indicator.
    pub fn hidden() -> Progress {
        Progress::new(0, "files", false)
    }

    /// Records one unit of `bytes` bytes done.
    pub fn inc(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            let n = self.units.fetch_add(1, Ordering::Relaxed) + 1;
            if self.by_count {
                let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
                b.inc(1);
                if n % 64 == 1 {
                    let secs = self.started.elapsed().as_secs_f64().max(1e-3);
                    b.set_message(format!("{:.0} MB/s", total as f64 / 1e6 / secs));
                }
                return;
            }
            b.inc(bytes);
            if n % 64 == 1 {
                b.set_message(format!("{n} {}", self.unit));
            }
        }
    }

    /// Removes the indicator.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
