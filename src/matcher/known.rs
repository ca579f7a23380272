//! Credentials that are public on purpose: keys that vendors print in their documentation and
//! SDKs publish in their samples and tests. They open nothing of anyone's, yet have the exact
//! shape of a live key, so every scanner that does not know them by value reports them in every
//! project that vendors an SDK or copies a quick-start.
//!
//! A candidate whose secret is one of these values (compared exactly) is dropped, whatever the
//! rule, with the reason "a published sample key". The list is short and each entry names where
//! it is published, so a reviewer can check it; it is not a place for a project's own test keys
//! (those go in `.leakscan.toml`'s `[allow] secrets` or `.leakscanignore`).

/// `(value, where it is published)`.
pub const PUBLISHED: &[(&str, &str)] = &[
    // AWS documentation (IAM user guide, CLI and SDK examples).
    ("AKIAIOSFODNN7EXAMPLE", "AWS documentation"),
    (
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS documentation",
    ),
    ("AKIAI44QH8DHBEXAMPLE", "AWS documentation"),
    (
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "AWS documentation",
    ),
    // Stripe's API reference and quick-starts show these test-mode keys to every reader.
    ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Stripe API reference"),
    ("pk_test_TYooMQauvdEDq54NiTphI7jx", "Stripe API reference"),
    (
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "Stripe API reference (older edition)",
    ),
    (
        "pk_test_6pRNASCoBOKtIshFeQd4XMUh",
        "Stripe API reference (older edition)",
    ),
    // Google Chat incoming-webhook URLs all carry this key; the secret is the URL's token.
    (
        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "every Google Chat webhook URL",
    ),
    // API keys in the Firebase Android SDK's tests and sample configuration
    // (github.com/firebase/firebase-android-sdk), copied into countless apps and forks.
    (
        "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
        "Firebase Android SDK tests",
    ),
    (
        "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
        "Firebase Android SDK tests",
    ),
    (
        "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
        "Firebase Android SDK tests",
    ),
];

/// Where a secret is published, if it is one of [`PUBLISHED`].
pub fn published(secret: &[u8]) -> Option<&'static str> {
    PUBLISHED
        .iter()
        .find(|(v, _)| v.as_bytes() == secret)
        .map(|(_, origin)| *origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_unique_and_exact() {
        let mut seen = std::collections::HashSet::new();
        for (v, _) in PUBLISHED {
            assert!(seen.insert(v), "{v} listed twice");
            assert_eq!(v.trim(), *v);
        }
        assert_eq!(
            published(b"sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
            Some("Stripe API reference")
        );
        // Exact match only: a key that merely starts like one is still reported.
        assert_eq!(published(b"sk_test_4eC39HqLyjWDarjtT1zdp7dcX"), None);
    }
}
