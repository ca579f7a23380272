//! JSON Lines: one finding per line, each the object the JSON report puts in `findings` (same
//! fields, same redaction), for log pipelines and `jq -c`. With `--explain`, the dropped
//! candidates follow, each with its `dropped` field. Skips and the summary are not part of it:
//! they go to standard error as with every machine format.

use std::io::{self, Write};

use super::json::wire;
use super::{Report, Reporter};

/// The JSON Lines reporter.
pub struct JsonLines;

impl Reporter for JsonLines {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        for f in report.findings.iter().chain(report.dropped) {
            serde_json::to_writer(&mut *w, &wire(report, f))?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}
