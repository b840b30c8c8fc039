//! The Prometheus text exposition format (version 0.0.4), written by hand: it is small, and
//! writing it here keeps label escaping and number formatting in one reviewed place.

use std::fmt::Write as _;

pub(super) fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        // `{:?}` is the shortest text that reads back as the same number (`1.0`, `0.0025`,
        // `1e-7`); Prometheus parses all of these forms.
        format!("{v:?}")
    }
}

/// Writes the text exposition format: `# HELP`, `# TYPE`, then the family's samples.
#[derive(Default)]
pub(super) struct Exposition {
    pub(super) text: String,
}

impl Exposition {
    pub(super) fn family(&mut self, name: &str, help: &str, kind: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    pub(super) fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl ToString) {
        self.sample_named(name, labels, &value.to_string());
    }

    pub(super) fn sample_with_le(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        le: &str,
        value: u64,
    ) {
        let mut all: Vec<(&str, &str)> = labels.to_vec();
        all.push(("le", le));
        self.sample_named(&format!("{name}_bucket"), &all, &value.to_string());
    }

    pub(super) fn sample_named(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", escape_label(v));
            }
            self.text.push('}');
        }
        self.text.push(' ');
        self.text.push_str(value);
        self.text.push('\n');
    }
}

/// Label values escape backslash, double quote and line feed.
pub(super) fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text escapes backslash and line feed.
pub(super) fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}
