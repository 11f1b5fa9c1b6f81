//! A tiny exporter the test controls: serves `/metrics` in the text format
//! with whatever values the test sets.

use super::metrics_server::MetricsServer;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub struct Exporter {
    series: Arc<Mutex<BTreeMap<String, f64>>>,
    server: MetricsServer,
}

impl Exporter {
    /// Starts serving `series` (e.g. `("policy_entropy", 0.93)`, or with labels
    /// `("rl_influence_percent{env=\"prod\"}", 10.0)`).
    pub fn start(series: &[(&str, f64)]) -> Exporter {
        let series: Arc<Mutex<BTreeMap<String, f64>>> = Arc::new(Mutex::new(
            series.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ));
        let shared = series.clone();
        let server = MetricsServer::start(move || render(&shared));
        Exporter { series, server }
    }

    pub fn set(&self, series: &str, value: f64) {
        self.series
            .lock()
            .expect("series lock")
            .insert(series.to_string(), value);
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn target(&self) -> String {
        self.server.target()
    }
}

fn render(series: &Mutex<BTreeMap<String, f64>>) -> String {
    let series = series.lock().expect("series lock");
    let mut out = String::from("# HELP liftoff_test_exporter a metrics page the test controls\n");
    for (name, value) in series.iter() {
        out.push_str(&format!("{name} {value}\n"));
    }
    out
}
