//! Reading `/metrics`: a strict checker of the Prometheus text format (0.0.4), then
//! `prometheus-parse`, with lookups by name and labels.

use super::http;

/// (buckets as (le, cumulative count), count, sum).
pub type HistogramSeries = (Vec<(f64, f64)>, f64, f64);

/// Scrapes /metrics: checks the content type and the format strictly, then parses it.
pub async fn scrape(base: &str) -> Metrics {
    let r = http()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(r.status(), 200);
    let ct = r.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        ct.starts_with("text/plain") && ct.contains("version=0.0.4"),
        "content type {ct}"
    );
    Metrics::parse(&r.text().await.unwrap())
}

/// A parsed scrape: by `prometheus-parse`, after [`check_exposition`] passed.
pub struct Metrics {
    pub text: String,
    pub scrape: prometheus_parse::Scrape,
}

impl Metrics {
    pub fn parse(text: &str) -> Metrics {
        if let Err(e) = check_exposition(text) {
            panic!("invalid exposition format: {e}\n{text}");
        }
        let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
            .expect("prometheus-parse reads it");
        Metrics {
            text: text.to_string(),
            scrape,
        }
    }

    /// The value of the one sample of `name` whose labels include `labels`. Histograms are
    /// reported by `prometheus-parse` as one sample per series; use [`Metrics::histogram`].
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let matching: Vec<f64> = self
            .scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .filter_map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => Some(v),
                _ => None,
            })
            .collect();
        assert!(
            matching.len() <= 1,
            "{name} {labels:?} matches {} samples",
            matching.len()
        );
        matching.first().copied()
    }

    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no sample {name} {labels:?} in\n{}", self.text))
    }

    /// (buckets as (le, cumulative count), count, sum) of one histogram series.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Option<HistogramSeries> {
        let sample = self
            .scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))?;
        match &sample.value {
            prometheus_parse::Value::Histogram(buckets) => {
                let count = self.get(&format!("{name}_count"), labels);
                let sum = self.get(&format!("{name}_sum"), labels);
                Some((
                    buckets.iter().map(|b| (b.less_than, b.count)).collect(),
                    count,
                    sum,
                ))
            }
            _ => None,
        }
    }

    pub fn family_type(&self, name: &str) -> Option<String> {
        self.text.lines().find_map(|l| {
            l.strip_prefix(&format!("# TYPE {name} "))
                .map(str::to_string)
        })
    }
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// `name{a="x",b="y"}` → (name, [(a, x), (b, y)]), strictly: quoted values with only the
/// escapes `\\`, `\"` and `\n`, no duplicate label names.
pub fn parse_series(s: &str) -> Result<(String, Vec<(String, String)>), String> {
    let Some(open) = s.find('{') else {
        return if is_metric_name(s) {
            Ok((s.to_string(), vec![]))
        } else {
            Err(format!("bad metric name {s:?}"))
        };
    };
    let name = &s[..open];
    if !is_metric_name(name) {
        return Err(format!("bad metric name {name:?}"));
    }
    let body = s[open + 1..]
        .strip_suffix('}')
        .ok_or_else(|| format!("unterminated labels in {s:?}"))?;
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("label without = in {s:?}"))?;
        let label = &rest[..eq];
        if !is_label_name(label) {
            return Err(format!("bad label name {label:?} in {s:?}"));
        }
        let mut chars = rest[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err(format!("unquoted label value in {s:?}"));
        }
        let mut value = String::new();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?} in {s:?}")),
                },
                '"' => {
                    end = Some(eq + 1 + i + 1);
                    break;
                }
                '\n' => return Err(format!("raw newline in {s:?}")),
                c => value.push(c),
            }
        }
        let end = end.ok_or_else(|| format!("unterminated label value in {s:?}"))?;
        if labels.iter().any(|(l, _)| l == label) {
            return Err(format!("duplicate label {label} in {s:?}"));
        }
        labels.push((label.to_string(), value));
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.is_empty() {
            return Err(format!("junk after a label value in {s:?}"));
        }
    }
    Ok((name.to_string(), labels))
}

/// Checks the text exposition format (0.0.4) strictly, beyond what `prometheus-parse`
/// tolerates: well-formed names, labels and values; `# TYPE` once per family, before its
/// samples; each family's samples together; no duplicate series; counters not negative;
/// histogram buckets cumulative, ending in `+Inf` equal to `_count`, with a `_sum`.
pub fn check_exposition(text: &str) -> Result<(), String> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    if !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut types: HashMap<String, String> = HashMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series: HashSet<String> = HashSet::new();
    // histogram series (family, labels without le) → buckets, count, sum
    type Key = (String, Vec<(String, String)>);
    let mut buckets: BTreeMap<Key, Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts: BTreeMap<Key, f64> = BTreeMap::new();
    let mut sums: HashSet<Key> = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["TYPE", name, kind] => {
                    if !is_metric_name(name) {
                        return Err(at("bad family name".into()));
                    }
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(kind) {
                        return Err(at("unknown type".into()));
                    }
                    if types.insert(name.to_string(), kind.to_string()).is_some() {
                        return Err(at("second TYPE for a family".into()));
                    }
                    if finished.contains(*name) || current.as_deref() == Some(name) {
                        return Err(at("TYPE after the family's samples".into()));
                    }
                }
                ["HELP", name, ..] if !is_metric_name(name) => {
                    return Err(at("bad family name".into()))
                }
                _ => {}
            }
            continue;
        }
        let (series_text, value) = line.rsplit_once(' ').ok_or_else(|| at("no value".into()))?;
        let value = parse_value(value).ok_or_else(|| at("bad value".into()))?;
        let (name, labels) = parse_series(series_text).map_err(at)?;
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix).filter(|f| {
                    types
                        .get(*f)
                        .is_some_and(|t| t == "histogram" || t == "summary")
                })
            })
            .unwrap_or(&name)
            .to_string();
        let kind = types
            .get(&family)
            .ok_or_else(|| at(format!("sample of {family} before its TYPE")))?
            .clone();
        if current.as_deref() != Some(family.as_str()) {
            if let Some(prev) = current.take() {
                finished.insert(prev);
            }
            if finished.contains(&family) {
                return Err(at(format!("samples of {family} are not together")));
            }
            current = Some(family.clone());
        }
        let mut sorted = labels.clone();
        sorted.sort();
        if !series.insert(format!("{name}{sorted:?}")) {
            return Err(at("duplicate series".into()));
        }
        if kind == "counter" && (value.is_nan() || value < 0.0) {
            return Err(at("negative or NaN counter".into()));
        }
        if kind == "histogram" {
            let mut base: Vec<(String, String)> =
                sorted.iter().filter(|(k, _)| k != "le").cloned().collect();
            base.sort();
            let key = (family.clone(), base);
            if name.ends_with("_bucket") {
                let le = labels
                    .iter()
                    .find(|(k, _)| k == "le")
                    .and_then(|(_, v)| parse_value(v))
                    .ok_or_else(|| at("bucket without a numeric le".into()))?;
                buckets.entry(key).or_default().push((le, value));
            } else if name.ends_with("_count") {
                counts.insert(key, value);
            } else if name.ends_with("_sum") {
                sums.insert(key);
            } else {
                return Err(at(
                    "a histogram sample that is not _bucket/_count/_sum".into()
                ));
            }
        }
    }
    for (key, bs) in &buckets {
        if bs.windows(2).any(|w| w[0].0 >= w[1].0 || w[0].1 > w[1].1) {
            return Err(format!("{key:?}: buckets not increasing and cumulative"));
        }
        match bs.last() {
            Some((le, n)) if le.is_infinite() && Some(n) == counts.get(key) => {}
            _ => return Err(format!("{key:?}: no +Inf bucket equal to _count")),
        }
        if !sums.contains(key) {
            return Err(format!("{key:?}: no _sum"));
        }
    }
    Ok(())
}
