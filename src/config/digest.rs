//! `[digest]`: when each department's weekly digest is posted in its channel. Absent (or
//! without `when`), no digest is posted. The time is read in each department's `timezone`.

use serde::Deserialize;

use super::types::Config;
use super::validate::ConfigProblem;
use crate::core::DigestWhen;

/// `[digest]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestConfig {
    /// A weekday and a local time, `"Fri 16:00"`; absent: no digest.
    pub when: Option<String>,
}

impl DigestConfig {
    /// The parsed `when`; `None` when the digest is off or the value is bad (which
    /// validation reports).
    pub fn schedule(&self) -> Option<DigestWhen> {
        self.when.as_deref().and_then(|w| DigestWhen::parse(w).ok())
    }
}

/// The problems of `[digest]`, by key path.
pub(super) fn problems(config: &Config) -> Vec<ConfigProblem> {
    match config.digest.when.as_deref().map(DigestWhen::parse) {
        Some(Err(e)) => vec![ConfigProblem::new("digest.when", e.to_string())],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::with_default;
    use super::super::Config;

    #[test]
    fn a_bad_digest_time_is_reported_by_its_key_path() {
        let keys = with_default(|c| c.digest.when = Some("Friday at four".into()));
        assert_eq!(keys, ["digest.when"]);
        let mut config = Config::builtin_default();
        config.digest.when = Some("Fri 16:00".into());
        assert!(config.validate().is_ok());
        assert_eq!(
            config.digest.schedule().map(|w| w.day),
            Some(chrono::Weekday::Fri)
        );
        assert_eq!(Config::builtin_default().digest.schedule(), None);
    }
}
