//! The Prometheus text exposition format (version 0.0.4, and the sample lines
//! of OpenMetrics), read as Prometheus ingests it: one flat series per sample
//! line, so a histogram is its `_bucket{le=..}`, `_sum` and `_count` series.
//!
//! Hand-written because `prometheus-parse` folds histograms into one value,
//! splits label values at `,` and `=` (no escapes), rejects `:` in names and
//! skips lines it cannot read; a scrape must refuse garbage, not shrug.

use super::Sample;
use std::collections::BTreeMap;

/// Why a page is not an exposition: the line and a short excerpt of it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {why}: `{excerpt}`")]
pub struct ExpositionError {
    pub line: usize,
    pub why: String,
    pub excerpt: String,
}

/// Every sample of `text`, each with `__name__` among its labels.
pub fn parse(text: &str) -> Result<Vec<Sample>, ExpositionError> {
    let mut samples = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue; // HELP, TYPE, EOF and plain comments carry no samples.
        }
        let sample = parse_line(line).map_err(|why| ExpositionError {
            line: i + 1,
            why,
            excerpt: crate::io::fetch::snippet(line.as_bytes(), 80),
        })?;
        samples.push(sample);
    }
    Ok(samples)
}

fn parse_line(line: &str) -> Result<Sample, String> {
    let mut cur = Cursor { rest: line };
    let name = cur.take_while(is_name_char);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("expected a metric name".into());
    }
    let mut labels = BTreeMap::new();
    labels.insert("__name__".to_string(), name.to_string());
    if cur.eat('{') {
        parse_labels(&mut cur, &mut labels)?;
    }
    let after_labels = cur.rest;
    cur.skip_blanks();
    if cur.rest.len() == after_labels.len() {
        return Err("expected a blank between the series and its value".into());
    }
    let value = cur.take_while(|c| !c.is_whitespace());
    let value = parse_value(value).ok_or_else(|| format!("`{value}` is not a number"))?;
    cur.skip_blanks();
    // What may follow: a timestamp (ignored: the poll time is what counts)
    // and an OpenMetrics exemplar (`# {..} v`), neither of which is a sample.
    let timestamp = cur.take_while(|c| !c.is_whitespace());
    if !timestamp.is_empty() && !timestamp.starts_with('#') && timestamp.parse::<f64>().is_err() {
        return Err(format!("`{timestamp}` is not a timestamp"));
    }
    Ok(Sample { labels, value })
}

fn parse_labels(cur: &mut Cursor, labels: &mut BTreeMap<String, String>) -> Result<(), String> {
    loop {
        cur.skip_blanks();
        if cur.eat('}') {
            return Ok(());
        }
        let name = cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err("expected a label name".into());
        }
        cur.skip_blanks();
        if !cur.eat('=') {
            return Err(format!("expected `=` after label `{name}`"));
        }
        cur.skip_blanks();
        if !cur.eat('"') {
            return Err(format!(
                "the value of label `{name}` must be in double quotes"
            ));
        }
        let value = cur.quoted()?;
        if labels.insert(name.to_string(), value).is_some() {
            return Err(format!("label `{name}` appears twice"));
        }
        cur.skip_blanks();
        if cur.eat(',') {
            continue;
        }
        if cur.eat('}') {
            return Ok(());
        }
        return Err("expected `,` or `}` in the label set".into());
    }
}

/// Go's float syntax as exporters write it: `1.5`, `1e3`, `NaN`, `+Inf`, `-Inf`.
fn parse_value(v: &str) -> Option<f64> {
    match v {
        "NaN" | "nan" => Some(f64::NAN),
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ if v.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => v.parse().ok(),
        _ => None,
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c: char| !f(c)).unwrap_or(self.rest.len());
        let (head, tail) = self.rest.split_at(end);
        self.rest = tail;
        head
    }
    fn skip_blanks(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(tail) => {
                self.rest = tail;
                true
            }
            None => false,
        }
    }
    /// A label value after its opening quote, unescaping `\\`, `\"` and `\n`.
    fn quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, other)) => return Err(format!("unknown escape `\\{other}`")),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("a label value is missing its closing quote".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Sample {
        let mut s = parse(text).unwrap();
        assert_eq!(s.len(), 1, "{s:?}");
        s.remove(0)
    }

    #[test]
    fn plain_sample_has_its_name_as_a_label() {
        let s = one("# HELP x help\n# TYPE x gauge\npolicy_entropy 0.93\n");
        assert_eq!(s.labels["__name__"], "policy_entropy");
        assert_eq!(s.value, 0.93);
    }

    #[test]
    fn labels_with_escapes_commas_and_braces() {
        let s = one(
            r#"http_requests_total{path="/a,b=c}",msg="say \"hi\"\nnow\\",code="200",} 1027 1395066363000"#,
        );
        assert_eq!(s.labels["path"], "/a,b=c}");
        assert_eq!(s.labels["msg"], "say \"hi\"\nnow\\");
        assert_eq!(s.labels["code"], "200");
        assert_eq!(s.value, 1027.0);
    }

    #[test]
    fn colons_special_values_and_exponents() {
        let samples = parse("job:rate5m 1e-3\na NaN\nb +Inf\nc -Inf\nd{} 7").unwrap();
        assert_eq!(samples[0].labels["__name__"], "job:rate5m");
        assert_eq!(samples[0].value, 0.001);
        assert!(samples[1].value.is_nan());
        assert_eq!(samples[2].value, f64::INFINITY);
        assert_eq!(samples[3].value, f64::NEG_INFINITY);
        assert_eq!(samples[4].value, 7.0);
    }

    #[test]
    fn histogram_is_flat_series_like_prometheus_stores_it() {
        let text = "# TYPE lat histogram\nlat_bucket{le=\"0.1\"} 3\nlat_bucket{le=\"+Inf\"} 5\nlat_sum 1.2\nlat_count 5\n";
        let samples = parse(text).unwrap();
        let names: Vec<&str> = samples
            .iter()
            .map(|s| s.labels["__name__"].as_str())
            .collect();
        assert_eq!(names, ["lat_bucket", "lat_bucket", "lat_sum", "lat_count"]);
        assert_eq!(samples[1].labels["le"], "+Inf");
        let summary = parse("rpc{quantile=\"0.99\"} 0.2\nrpc_sum 9\nrpc_count 40").unwrap();
        assert_eq!(summary[0].labels["quantile"], "0.99");
    }

    #[test]
    fn openmetrics_exemplars_and_eof_are_accepted() {
        let samples = parse("a_total 3 # {trace_id=\"x\"} 1.0\n# EOF\n").unwrap();
        assert_eq!(samples[0].value, 3.0);
    }

    #[test]
    fn garbage_is_refused_with_line_and_excerpt() {
        let e = parse("ok 1\n<html><body>502 Bad Gateway</body></html>").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.excerpt.contains("<html>"), "{e}");
        for bad in [
            "hello world",
            "lonely_name",
            "x{a=\"1\" 2",
            "x{a=1} 2",
            "x{a=\"1\",a=\"2\"} 3",
            "{\"json\": true}",
            "x 1 not-a-time",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn empty_page_has_no_samples() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("# only comments\n\n").unwrap().is_empty());
    }
}
