//! The cockpit's view of the shared journal: the whole journal folded once at
//! start, then every new event (from this process or any other sharing the
//! file) folded as it arrives and sent on as `ReleaseChanged`, a batch at a
//! time. Every panel (ramp, roles, kill switch, journal, manual items, alarm)
//! renders from that one state, so all cockpits on a journal agree.

use super::event::SupervisorEvent;
use crate::journal::{Cursor, Followed, ReadAll, SharedJournal};
use crate::release::ReleaseState;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Items folded before the state is sent on (a catch-up sends few big batches).
const BATCH: usize = 256;

/// Starts following `journal`. Must be called inside a tokio runtime; stops on
/// `cancel` or when the cockpit's channel closes.
pub fn spawn(
    journal: SharedJournal,
    tx: mpsc::Sender<SupervisorEvent>,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = run(journal, tx) => {}
        }
    })
}

async fn run(journal: SharedJournal, tx: mpsc::Sender<SupervisorEvent>) {
    let reader = journal.clone();
    let read = tokio::task::spawn_blocking(move || reader.read_all())
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    let (mut state, cursor) = match read {
        Ok(read) => initial(&read),
        Err(why) => {
            // Fail visibly, and still follow from the start of the file: the
            // follower delivers every line it can read.
            let text = format!("journal {}: {why}", journal.describe());
            if tx
                .send(SupervisorEvent::Notice { text, bad: true })
                .await
                .is_err()
            {
                return;
            }
            (ReleaseState::default(), Cursor::default())
        }
    };
    let mut skipped = Skipped::default();
    for event in skipped.add(&state.warnings) {
        if tx.send(event).await.is_err() {
            return;
        }
    }
    if tx.send(state.clone().into()).await.is_err() {
        return;
    }
    let mut rx = match journal.follow(cursor) {
        Ok(rx) => rx,
        Err(e) => {
            let text = format!("journal: cannot follow other processes' events: {e}");
            let _ = tx.send(SupervisorEvent::Notice { text, bad: true }).await;
            return;
        }
    };
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let mut warnings = Vec::new();
        for item in batch.drain(..) {
            state.apply_followed(&item);
            if let Followed::Warning(w) = item {
                warnings.push(w.to_string());
            }
        }
        if tx.send(state.clone().into()).await.is_err() {
            return;
        }
        for event in skipped.add(&warnings) {
            if tx.send(event).await.is_err() {
                return;
            }
        }
    }
}

/// The reader's warnings so far: a notice for each batch, and a lasting
/// "journal lines" condition on the status line (a line the fold did not
/// count — off the chain, edited, torn — stays a fact about this journal).
#[derive(Default)]
struct Skipped {
    count: usize,
}

impl Skipped {
    fn add(&mut self, warnings: &[String]) -> Vec<SupervisorEvent> {
        let Some(notice) = warnings_notice(warnings) else {
            return Vec::new();
        };
        self.count += warnings.len();
        let last = warnings.last().cloned().unwrap_or_default();
        let condition = SupervisorEvent::Condition {
            topic: "journal lines",
            text: Some(format!(
                "JOURNAL: {} line(s) not counted (see `liftoff audit verify`); last: {last}",
                self.count
            )),
        };
        vec![notice, condition]
    }
}

fn initial(read: &ReadAll) -> (ReleaseState, Cursor) {
    (ReleaseState::from_read(read), read.cursor)
}

/// One status-line notice for the lines a reader could not use: the newest, and how many.
fn warnings_notice(warnings: &[String]) -> Option<SupervisorEvent> {
    let last = warnings.last()?;
    let more = match warnings.len() {
        1 => String::new(),
        n => format!(" ({} more unreadable lines)", n - 1),
    };
    Some(SupervisorEvent::Notice {
        // A warning names the journal itself ("journal line 3 skipped: ...").
        text: format!("{last}{more}"),
        bad: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_events::ack;
    use crate::journal::{FileJournal, Journal};
    use std::io::Write;
    use std::sync::Arc;
    use std::time::Duration;

    async fn next_state(rx: &mut mpsc::Receiver<SupervisorEvent>) -> ReleaseState {
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("an event within 10 s")
                .expect("channel open");
            if let SupervisorEvent::ReleaseChanged(s) = ev {
                return *s;
            }
        }
    }

    #[tokio::test]
    async fn folds_the_journal_then_follows_new_lines_and_says_when_one_is_torn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let file = FileJournal::new(&path);
        file.append(ack("captain")).unwrap();
        let journal: SharedJournal = Arc::new(file.clone());
        let (tx, mut rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let task = spawn(journal, tx, cancel.clone());
        let first = next_state(&mut rx).await;
        assert_eq!(first.acks.len(), 1);
        assert_eq!(first.events, 1);
        // Another writer: a new event arrives as a new state.
        file.append(ack("oncall")).unwrap();
        let second = next_state(&mut rx).await;
        assert_eq!(second.events, 2);
        // A torn line between two complete ones is reported, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"id\":3,\"at\n")
            .unwrap();
        file.append(ack("techlead")).unwrap();
        let mut saw_warning = false;
        let mut events = 0;
        while !(saw_warning && events == 3) {
            let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("an event within 10 s")
                .expect("channel open");
            match ev {
                SupervisorEvent::Notice { text, bad } => {
                    assert!(bad && text.starts_with("journal line 3 skipped"), "{text}");
                    saw_warning = true;
                }
                SupervisorEvent::ReleaseChanged(s) => events = s.events,
                _ => {}
            }
        }
        cancel.cancel();
        task.await.unwrap();
    }

    #[test]
    fn many_warnings_make_one_notice() {
        let n = warnings_notice(&[
            "journal line 2 skipped: torn".into(),
            "journal line 5 skipped: torn".into(),
        ]);
        match n {
            Some(SupervisorEvent::Notice { text, bad }) => {
                assert!(bad);
                assert_eq!(
                    text,
                    "journal line 5 skipped: torn (1 more unreadable lines)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(warnings_notice(&[]).is_none());
    }

    #[tokio::test]
    async fn a_line_off_the_chain_is_a_lasting_journal_condition_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let file = FileJournal::new(&path);
        file.append(ack("oncall")).unwrap();
        // Its own hash is right; its prev is not the line before it.
        let (_, forged) =
            crate::journal::line::encode(2, chrono::Utc::now(), &ack("captain"), &"ab".repeat(32));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&forged)
            .unwrap();
        let journal: SharedJournal = Arc::new(file);
        let (tx, mut rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let task = spawn(journal, tx, cancel.clone());
        let (mut condition, mut state) = (None, None);
        while condition.is_none() || state.is_none() {
            let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("an event within 10 s")
                .expect("channel open");
            match ev {
                SupervisorEvent::Condition {
                    topic: "journal lines",
                    text,
                } => condition = text,
                SupervisorEvent::ReleaseChanged(s) => state = Some(*s),
                _ => {}
            }
        }
        let condition = condition.unwrap();
        assert!(condition.contains("journal line 2 skipped"), "{condition}");
        assert!(condition.contains("not counted"), "{condition}");
        let state = state.unwrap();
        assert_eq!(state.events, 1);
        assert!(state.acks.iter().all(|a| a.role != "captain"));
        cancel.cancel();
        task.await.unwrap();
    }
}
