//! The report writer of each output format, shared by `scan` and `report merge`.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::Format;
use crate::error::Error;
use crate::report::gitlab::Gitlab;
use crate::report::junit::Junit;
use crate::report::sarif::Sarif;
use crate::report::{json::Json, text::Text, Report, Reporter};

/// The reporter of `format` (`summary`: the text report ends with the summary), and the
/// warnings of rendering it (SARIF's upload limits). Shared with `report merge`.
pub fn reporter(
    format: Format,
    summary: bool,
    sarif: &Sarif,
    report: &Report<'_>,
) -> Result<(Box<dyn Reporter>, Vec<String>), Error> {
    let mut warnings = Vec::new();
    let reporter: Box<dyn Reporter> = match format {
        Format::Text => Box::new(Text { summary }),
        Format::Json => Box::new(Json),
        Format::Junit => Box::new(Junit),
        Format::Gitlab => Box::new(Gitlab),
        Format::Html => Box::new(crate::report::html::Html),
        Format::Markdown => Box::new(crate::report::markdown::Markdown),
        Format::Csv => Box::new(crate::report::csv::Csv),
        Format::Jsonl => Box::new(crate::report::jsonl::JsonLines),
        Format::Sarif => {
            let rendered = sarif.render(report).map_err(|e| Error::Io {
                path: PathBuf::from("<sarif>"),
                source: e,
            })?;
            warnings = rendered.warnings;
            Box::new(Prerendered(rendered.bytes))
        }
    };
    Ok((reporter, warnings))
}

/// A report rendered ahead of time (SARIF, whose limits produce warnings for standard error).
struct Prerendered(Vec<u8>);

impl Reporter for Prerendered {
    fn write(&self, _: &Report<'_>, w: &mut dyn Write) -> std::io::Result<()> {
        w.write_all(&self.0)
    }
}
