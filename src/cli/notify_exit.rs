//! A command that wrote notifiable events (`liftoff kill`) tells the webhooks
//! after its verdict is printed, waiting at most the longest webhook timeout:
//! the exit code was decided before, and a hanging webhook cannot change it.

use crate::act::ActContext;
use crate::journal::Stored;
use crate::webhooks;
use chrono::{DateTime, Utc};

/// `ours`: the events this command wrote (as the journal stored them; the
/// journal is not read again: it may be locked, and the verdict is out).
pub(crate) async fn tell(ctx: &ActContext, since: DateTime<Utc>, ours: Vec<Stored>) {
    if ctx.pb.playbook.notifications.is_empty() {
        return;
    }
    let within = webhooks::longest_timeout(&ctx.pb);
    let status =
        webhooks::send_and_wait(ctx.pb.clone(), ctx.journal.clone(), ours, since, within).await;
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
        webhooks::record_unanswered(&ctx.journal, &ctx.actor, why).await;
    }
}
