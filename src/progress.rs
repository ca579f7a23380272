//! Progress on standard error, only when standard error is a terminal. Progress lines show
//! counts and rates, never content.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan stays silent before an indicator appears: short enough that a scan never
/// looks stuck, long enough that a quick one (a small folder) prints nothing.
const DELAY: Duration = Duration::from_millis(150);

/// The spinner shown while sources are listed (files walked, history indexed), before the
/// first progress bar knows its total; that bar replaces it.
static STARTING: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Shows a spinner with `message` (after [`DELAY`]) until the first progress bar or
/// [`Starting`]'s drop clears it; only when `enabled` and standard error is a terminal.
pub struct Starting;

impl Starting {
    /// Starts the spinner.
    pub fn new(message: &str, enabled: bool) -> Starting {
        if !enabled || !std::io::stderr().is_terminal() {
            return Starting;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        if let Ok(mut slot) = STARTING.lock() {
            *slot = Some(bar.clone());
        }
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if !bar.is_finished() {
                bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
                bar.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Starting
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        clear_starting();
    }
}

fn clear_starting() {
    if let Some(bar) = STARTING.lock().ok().and_then(|mut s| s.take()) {
        bar.finish_and_clear();
    }
}

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
    /// and standard error is a terminal. It appears after a short delay ([`DELAY`]), so quick
    /// scans print nothing.
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
        clear_starting();
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} {bytes}/{total_bytes} ({binary_bytes_per_sec}) {elapsed}",
        ) {
            bar.set_style(style);
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
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
