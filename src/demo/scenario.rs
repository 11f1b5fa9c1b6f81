//! The story the demo tells, as pure functions of simulated time: a policy
//! whose entropy drifts down to its guard floor and dips under it for a
//! minute, a page alert that fires and resolves, a validation artifact that
//! lands a little after the start. The story repeats every `PERIOD`.
//!
//! What people and liftoff do (the ramp percentage, the kill switch) is not
//! scripted: it comes from files the playbook's actions write (`Switches`).

use std::collections::BTreeMap;

/// Simulated seconds after which the story starts over.
pub const PERIOD: f64 = 600.0;
/// When the second validation artifact is written (simulated seconds).
pub const ARTIFACT_AT: f64 = 20.0;
/// The guard floor the entropy drifts toward (the demo playbook's `trip`).
pub const ENTROPY_FLOOR: f64 = 0.8;
/// The page alert fires and resolves within this window of each period.
pub const PAGE_WINDOW: (f64, f64) = (45.0, 105.0);

/// What the world's operators have done to it, read back from the state folder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Switches {
    /// The traffic share the ramp action last set.
    pub influence_percent: f64,
    /// The kill switch flag is present.
    pub halted: bool,
}

/// One moment of the world.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub entropy: f64,
    pub q_spread: f64,
    pub budget_burn: f64,
    pub heartbeat_freshness: f64,
    pub heartbeat_age_seconds: f64,
    pub decisions_total: f64,
    /// What the serving path really does: 0 while halted.
    pub influence_percent: f64,
    pub halted: bool,
    pub alerts: Vec<DemoAlert>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoAlert {
    pub name: &'static str,
    pub severity: &'static str,
    pub summary: String,
    pub runbook: &'static str,
    /// Simulated time it started (may be before the world did: negative).
    pub started: f64,
    pub state: AlertState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AlertState {
    Active,
    Silenced(&'static str),
    Inhibited(&'static str),
}

/// The policy's entropy: steady, a slide to just above the floor by T+2m,
/// a minute under it, then recovery.
pub fn entropy(t: f64) -> f64 {
    let c = cycle(t);
    let base = if c < 20.0 {
        0.95
    } else if c < 120.0 {
        lerp(0.95, 0.81, (c - 20.0) / 100.0)
    } else if c < 140.0 {
        lerp(0.81, 0.78, (c - 120.0) / 20.0)
    } else if c < 200.0 {
        0.78
    } else if c < 320.0 {
        lerp(0.78, 0.95, (c - 200.0) / 120.0)
    } else {
        0.95
    };
    base + 0.004 * (t * 0.9).sin()
}

/// The world at simulated time `t` (seconds since it started).
pub fn at(t: f64, sw: Switches) -> Snapshot {
    let c = cycle(t);
    let entropy = entropy(t);
    let mut alerts = vec![
        DemoAlert {
            name: "ExporterScrapeSlow",
            severity: "warning",
            summary: "rl-exporter scrapes take 1.8s (p95)".into(),
            runbook: "Check the exporter's CPU; scrapes above 2s go stale",
            started: -1200.0,
            state: AlertState::Active,
        },
        DemoAlert {
            name: "NightlyBackfillLagging",
            severity: "page",
            summary: "Nightly feature backfill is 3h behind".into(),
            runbook: "Silenced for the release window; owned by data-eng",
            started: -7200.0,
            state: AlertState::Silenced("7d2e61f0-demo-release-window"),
        },
    ];
    if (PAGE_WINDOW.0..PAGE_WINDOW.1).contains(&c) {
        let started = t - (c - PAGE_WINDOW.0);
        alerts.push(DemoAlert {
            name: "PolicyServingLatencyHigh",
            severity: "page",
            summary: "p99 policy serving latency 480ms > 250ms for 5m".into(),
            runbook: "Hold the ramp; check policy-server pods and the feature store",
            started,
            state: AlertState::Active,
        });
        alerts.push(DemoAlert {
            name: "ShadowTrafficLow",
            severity: "warning",
            summary: "Shadow traffic below 80% of live".into(),
            runbook: "Follows from serving latency; inhibited while it pages",
            started,
            state: AlertState::Inhibited("PolicyServingLatencyHigh"),
        });
    }
    if entropy < 0.85 {
        alerts.push(DemoAlert {
            name: "PolicyEntropyLow",
            severity: "warning",
            summary: format!("Policy entropy {entropy:.3} < 0.85"),
            runbook: "Exploration is collapsing: hold the ramp, page the policy owner",
            started: first_below(t, 0.85),
            state: AlertState::Active,
        });
    }
    let halted = sw.halted;
    Snapshot {
        entropy,
        q_spread: 1.35 + 0.1 * (t / 40.0).sin(),
        budget_burn: 0.12 + 0.03 * c / PERIOD,
        heartbeat_freshness: 0.9971,
        heartbeat_age_seconds: 1.0 + (t * 7.0) % 4.0,
        decisions_total: (t * 40.0).floor(),
        influence_percent: if halted { 0.0 } else { sw.influence_percent },
        halted,
        alerts,
    }
}

/// Every series the simulated Prometheus holds at this moment, with labels
/// as its scrape config would attach them (`__name__` included).
pub fn series(s: &Snapshot) -> Vec<(BTreeMap<String, String>, f64)> {
    let policy = [
        ("job", "rl-policy"),
        ("instance", "policy-0:9108"),
        ("policy", "rl-v42"),
    ];
    let mut out = vec![
        (labels("policy_entropy", &policy), s.entropy),
        (labels("q_value_spread_ratio", &policy), s.q_spread),
        (labels("rl_influence_percent", &policy), s.influence_percent),
        (
            labels("rl_execution_halted", &policy),
            f64::from(u8::from(s.halted)),
        ),
        (
            labels(
                "slo:error_budget_burn:ratio_mtd",
                &[("service", "rl-policy")],
            ),
            s.budget_burn,
        ),
        (
            labels(
                "slo:policy_heartbeat_freshness:ratio_30d",
                &[("service", "rl-policy")],
            ),
            s.heartbeat_freshness,
        ),
    ];
    for (job, instance) in [
        ("rl-policy", "policy-0:9108"),
        ("rl-exporter", "exporter-0:9108"),
        ("rl-prober", "prober-0:9115"),
        ("cost-monitor", "cost-0:9200"),
    ] {
        out.push((labels("up", &[("job", job), ("instance", instance)]), 1.0));
    }
    out
}

fn labels(name: &str, pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    m.insert("__name__".into(), name.into());
    m
}

fn cycle(t: f64) -> f64 {
    t.max(0.0) % PERIOD
}

fn lerp(a: f64, b: f64, f: f64) -> f64 {
    a + (b - a) * f.clamp(0.0, 1.0)
}

/// When, in this period, the entropy last went under `level` before `t`.
fn first_below(t: f64, level: f64) -> f64 {
    let mut s = t;
    while s - 1.0 >= t - cycle(t) && entropy(s - 1.0) < level {
        s -= 1.0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE: Switches = Switches {
        influence_percent: 10.0,
        halted: false,
    };

    #[test]
    fn entropy_drifts_to_the_floor_within_two_minutes_then_dips_and_recovers() {
        assert!(entropy(0.0) >= 0.9);
        assert!(entropy(119.0) > ENTROPY_FLOOR && entropy(119.0) < 0.82);
        assert!(entropy(170.0) < ENTROPY_FLOOR);
        assert!(entropy(400.0) >= 0.9);
        assert!(entropy(PERIOD + 170.0) < ENTROPY_FLOOR, "the story repeats");
    }

    #[test]
    fn the_page_alert_fires_and_resolves() {
        let pages = |t: f64| {
            at(t, LIVE)
                .alerts
                .iter()
                .filter(|a| a.severity == "page" && a.state == AlertState::Active)
                .count()
        };
        assert_eq!(pages(10.0), 0);
        assert_eq!(pages(60.0), 1);
        assert_eq!(pages(120.0), 0);
        let page = at(60.0, LIVE);
        let a = page
            .alerts
            .iter()
            .find(|a| a.name == "PolicyServingLatencyHigh")
            .unwrap();
        assert_eq!(a.started, PAGE_WINDOW.0);
    }

    #[test]
    fn the_entropy_alert_follows_the_entropy() {
        let s = at(150.0, LIVE);
        let a = s
            .alerts
            .iter()
            .find(|a| a.name == "PolicyEntropyLow")
            .unwrap();
        assert!(a.started > 80.0 && a.started < 100.0, "{}", a.started);
        assert!(!at(10.0, LIVE)
            .alerts
            .iter()
            .any(|a| a.name == "PolicyEntropyLow"));
    }

    #[test]
    fn the_kill_switch_halts_the_serving_path() {
        let s = at(
            30.0,
            Switches {
                influence_percent: 25.0,
                halted: true,
            },
        );
        assert_eq!(s.influence_percent, 0.0);
        let halted = series(&s)
            .into_iter()
            .find(|(l, _)| l["__name__"] == "rl_execution_halted")
            .unwrap();
        assert_eq!(halted.1, 1.0);
        assert_eq!(at(30.0, LIVE).influence_percent, 10.0);
    }
}
