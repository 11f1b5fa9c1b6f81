//! What opening a journal needs, paths already resolved: the journal is
//! opened from this, never from the playbook (`LoadedPlaybook::journal_config`
//! fills it from `[release]`).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalConfig {
    /// `[release] journal` as written (a path, `file://path`, `etcd://...`);
    /// None: `<audit_dir>/journal.jsonl`.
    pub location: Option<String>,
    /// A relative `location` path is under this folder (the playbook's).
    pub base_dir: PathBuf,
    /// Where the default file journal and the local spools live.
    pub audit_dir: PathBuf,
    /// A keyed journal: the variable or the file holding the HMAC key.
    pub hmac_key_env: Option<String>,
    pub hmac_key_file: Option<PathBuf>,
    /// An etcd journal: credentials by reference, TLS files.
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl JournalConfig {
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}
