//! The journal the cockpit acts with when the playbook's journal cannot be
//! opened (e.g. a backend this build does not support): every write is
//! refused, with the reason. The kill switch still fires: it never waits on
//! the journal, and says what was NOT journaled.

use crate::journal::{
    Already, Cursor, Followed, Journal, JournalError, NewEvent, ReadAll, Stored, VerifyReport,
};
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct NoJournal {
    /// The playbook's `journal` setting that could not be opened.
    pub spec: String,
}

impl NoJournal {
    fn refuse<T>(&self) -> Result<T, JournalError> {
        Err(JournalError::Unsupported(self.spec.clone()))
    }
}

impl Journal for NoJournal {
    fn append(&self, _event: NewEvent) -> Result<Stored, JournalError> {
        self.refuse()
    }
    fn append_unless(
        &self,
        _event: NewEvent,
        _already: Already,
    ) -> Result<Option<Stored>, JournalError> {
        self.refuse()
    }
    fn read_all(&self) -> Result<ReadAll, JournalError> {
        self.refuse()
    }
    fn follow(&self, _from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError> {
        self.refuse()
    }
    fn verify(&self) -> Result<VerifyReport, JournalError> {
        self.refuse()
    }
    fn export_bytes(&self) -> Result<Vec<u8>, JournalError> {
        self.refuse()
    }
    fn describe(&self) -> String {
        format!("{} (not opened)", self.spec)
    }
}
