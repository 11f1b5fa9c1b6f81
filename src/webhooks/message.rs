//! What a webhook is told: which journal events count as which notification
//! event, and the body each kind of webhook gets (Slack's `{"text": ...}`, or
//! the journal event itself as JSON).

use crate::journal::{Head, Stored};
use crate::playbook::{Notify, NotifyKind};
use crate::release::event_summary;
use serde_json::{json, Value};

/// The `[[notify]] events` name a journal kind is sent under, if any.
pub fn notify_event(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "decision" | "decision_outcome" => "decision",
        "hold_overridden" | "check_waived" => "override",
        "stage_entered" => "stage_entered",
        "decision_point" => "decision_point",
        "guard_tripped" => "guard_tripped",
        "kill_fired" => "kill_fired",
        "kill_verified" => "kill_verified",
        "kill_failed" => "kill_failed",
        "rollback_fired" | "rollback_verified" | "rollback_failed" => "rollback",
        _ => return None,
    })
}

/// Whether `target` wants `stored` (an empty `events` list wants every event).
pub fn wants(target: &Notify, stored: &Stored) -> bool {
    match notify_event(&stored.kind) {
        None => false,
        Some(name) => target.events.is_empty() || target.events.iter().any(|e| e == name),
    }
}

/// A one-line sentence for people: release, what happened, who, where.
pub fn text(release: &str, stored: &Stored) -> String {
    let what = match stored.event() {
        Some(e) => event_summary(&e),
        None => stored.kind.clone(),
    };
    let mark = match stored.kind.as_str() {
        "kill_fired" => ":rotating_light: ",
        "kill_verified" => ":octagonal_sign: ",
        "kill_failed" | "rollback_failed" => ":x: ",
        "guard_tripped" => ":warning: ",
        "hold_overridden" | "check_waived" => ":warning: ",
        "decision" | "decision_outcome" if what.contains("OVERRID") => ":warning: ",
        "decision" | "decision_outcome" if what.contains("NO-GO") => ":red_circle: ",
        "decision" | "decision_outcome" => ":large_green_circle: ",
        _ => "",
    };
    let who = match &stored.actor.role {
        Some(role) => format!("{} ({role})", stored.actor.name),
        None => stored.actor.name.clone(),
    };
    format!(
        "{mark}[{release}] {what} — {who} on {} at {} (journal head {})",
        stored.actor.host,
        stored.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        head(stored)
    )
}

/// The journal's head as this event left it (the event itself): kept outside
/// the journal by whoever receives the message, it shows a cut tail later
/// (`liftoff audit verify --expect-head HASH@LINE`).
pub fn head(stored: &Stored) -> Head {
    Head {
        hash: stored.hash.clone(),
        line: stored.id,
    }
}

/// The request body for `kind`.
pub fn body(kind: NotifyKind, release: &str, stored: &Stored) -> Value {
    match kind {
        NotifyKind::Slack => json!({ "text": text(release, stored) }),
        NotifyKind::Webhook => {
            let mut v = serde_json::to_value(stored).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("release".into(), Value::from(release));
                m.insert("summary".into(), Value::from(text(release, stored)));
                m.insert(
                    "journal_head".into(),
                    serde_json::to_value(head(stored)).unwrap_or(Value::Null),
                );
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, Event, Fired, NewEvent};
    use crate::journal::line::encode;

    fn stored(event: &Event) -> Stored {
        let new = NewEvent::new(&Actor::here(Some("ana")).with_role(Some("captain")), event);
        encode(7, chrono::Utc::now(), &new, crate::journal::line::GENESIS).0
    }

    fn target(events: &[&str]) -> Notify {
        Notify {
            kind: NotifyKind::Slack,
            url_env: Some("X".into()),
            url_file: None,
            events: events.iter().map(|s| s.to_string()).collect(),
            timeout: None,
        }
    }

    #[test]
    fn rollback_events_go_under_one_name_and_acks_never() {
        assert_eq!(notify_event("rollback_verified"), Some("rollback"));
        assert_eq!(notify_event("ack"), None);
        assert_eq!(notify_event("notify_failed"), None);
        let fired = stored(&Event::KillFired(Fired {
            target: None,
            reason: Some("pages".into()),
            actions: 2,
            dispatched_us: 10,
        }));
        assert!(wants(&target(&[]), &fired));
        assert!(wants(&target(&["kill_fired"]), &fired));
        assert!(!wants(&target(&["decision"]), &fired));
    }

    #[test]
    fn slack_gets_text_and_webhooks_get_the_event() {
        let fired = stored(&Event::KillFired(Fired {
            target: None,
            reason: Some("pages firing".into()),
            actions: 2,
            dispatched_us: 10,
        }));
        let slack = body(NotifyKind::Slack, "autopack", &fired);
        let text = slack["text"].as_str().unwrap();
        assert!(
            text.contains("[autopack] KILL SWITCH fired (2 actions): pages firing"),
            "{text}"
        );
        assert!(text.contains("ana (captain)"), "{text}");
        assert!(
            text.ends_with(&format!("(journal head {}@7)", fired.hash)),
            "{text}"
        );
        let hook = body(NotifyKind::Webhook, "autopack", &fired);
        assert_eq!(hook["kind"], "kill_fired");
        assert_eq!(hook["id"], 7);
        assert_eq!(hook["release"], "autopack");
        assert_eq!(hook["payload"]["reason"], "pages firing");
        assert_eq!(hook["actor"]["name"], "ana");
        assert_eq!(hook["journal_head"]["hash"], fired.hash.as_str());
        assert_eq!(hook["journal_head"]["line"], 7);
    }
}
