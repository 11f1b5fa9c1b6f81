//! A command that wrote notifiable events (`liftoff kill`) tells the webhooks
//! after its verdict is printed, waiting at most the longest webhook timeout:
//! the exit code was decided before, and a hanging webhook cannot change it.

use crate::act::ActContext;
use crate::journal::event::NotifyFailed;
use crate::journal::{self, Event, Stored};
use crate::notify;
use chrono::{DateTime, Utc};

/// `ours`: the events this command wrote (as the journal stored them; the
/// journal is not read again: it may be locked, and the verdict is out).
pub(crate) async fn tell(ctx: &ActContext, since: DateTime<Utc>, ours: Vec<Stored>) {
    if ctx.pb.playbook.notifications.is_empty() {
        return;
    }
    let within = notify::longest_timeout(&ctx.pb);
    let status =
        notify::send_and_wait(ctx.pb.clone(), ctx.journal.clone(), ours, since, within).await;
    if status.sent > 0 {
        eprintln!("notified: {} webhook message(s) sent", status.sent);
    }
    if let Some(e) = &status.last_error {
        eprintln!(
            "warning: {} notification(s) failed; last: {e}",
            status.failed
        );
    }
    if status.pending > 0 {
        let why = format!(
            "{} notification(s) still unanswered after {}; liftoff exited without them",
            status.pending,
            humantime::format_duration(within)
        );
        eprintln!("warning: {why}");
        let event = Event::NotifyFailed(NotifyFailed {
            target: "all".into(),
            event_id: None,
            event_kind: None,
            attempts: 0,
            why,
        });
        // Bounded like the kill switch's own records: a locked journal must
        // not keep this command from exiting.
        let _ =
            journal::append_or_keep_async(&ctx.journal, journal::NewEvent::new(&ctx.actor, &event))
                .await;
    }
}
