//! The decoders over arbitrary bytes: encoded-span search, unescaping and UTF-16, with spans
//! that stay inside the buffer.
#![no_main]

use leakscan::source::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for span in decode::spans(data, None) {
        assert!(span.start < span.end && span.end <= data.len());
    }
    let _ = decode::unescape(data);
    let _ = decode::utf16(data);
});
