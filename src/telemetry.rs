//! Logging setup: human-readable by default, JSON on request. The only module that touches
//! the global subscriber. Filter with `RUST_LOG` (default `info`).
//!
//! Log lines carry the fields of the spans they happen in: `http` (`method`, route `path`,
//! `x_request_id`), `desk.step` (`input`, platform `user`, platform `event_id`, desk
//! `request_id`), `outbox.deliver` and `scheduler.fire` (desk `request_id`). Credentials are
//! never logged: they are held in [`crate::config::Secret`], which prints `[redacted]`.

use std::io::IsTerminal;

use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to stderr so stdout stays for command output.
/// Calling it twice is harmless (the second call does nothing).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in journald or a log file.
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}

/// An error with its causes, for log lines: `opening the store at /x: could not acquire lock`.
/// Errors here name what failed and keep the cause as their `source()` rather than repeating
/// its text, so a log line that printed only the outermost one would lose the cause.
pub fn chain<'a>(error: &'a (dyn std::error::Error + 'static)) -> ErrorChain<'a> {
    ErrorChain(error)
}

/// See [`chain`].
pub struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("opening the store")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_chain_prints_every_cause_once() {
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(super::chain(&e).to_string(), "opening the store: disk full");
    }
}
